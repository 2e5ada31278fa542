package industrydata

import (
	"context"
	"errors"
	"io"
	"time"
)

// UploadFileNames are the files a school may upload to a data connector's
// container: the OneRoster v1.1 CSV binding's. Any other blob name is
// refused before it reaches a store.
var UploadFileNames = []string{
	"manifest.csv", "orgs.csv", "users.csv", "academicSessions.csv",
	"courses.csv", "classes.csv", "enrollments.csv", "demographics.csv",
}

// The files a user report reads of each flow's data (SPEC §10).
const (
	RosterUsers = "users.csv"
	RosterOrgs  = "orgs.csv"
)

// IsUploadFileName reports whether name is one of UploadFileNames, exactly
// (blob names are case-sensitive).
func IsUploadFileName(name string) bool {
	for _, n := range UploadFileNames {
		if n == name {
			return true
		}
	}
	return false
}

// UploadSession is microsoft.graph.industryData.fileUploadSession: a data
// connector's container and the URL that grants upload to it until the
// session expires.
type UploadSession struct {
	URL                         string
	ContainerID                 string
	ContainerExpirationDateTime time.Time
	SessionExpirationDateTime   time.Time
}

// UploadContainer is a data connector's upload container: the place a
// fileUploadSession's sessionUrl points to. A connector has at most one
// container at a time; it is valid until Expires.
type UploadContainer struct {
	ID          string
	Tenant      TenantID
	ConnectorID string
	Created     time.Time
	Expires     time.Time
}

// BlobProps are the properties a client sets on a blob with the upload
// (x-ms-blob-content-* headers). ContentMD5 is the blob's Content-MD5
// property, 16 bytes or none.
type BlobProps struct {
	ContentType        string
	ContentEncoding    string
	ContentLanguage    string
	ContentDisposition string
	CacheControl       string
	ContentMD5         []byte
}

// BlobInfo is a committed blob of a container. Its content is immutable:
// uploading the name again commits new content under a new ContentID and
// ETag.
type BlobInfo struct {
	Name      string
	ContentID string
	Size      int64
	// ETag is an opaque token (no quotes), new on every commit.
	ETag         string
	Created      time.Time // when the name was first committed
	LastModified time.Time // when its current content was committed
	Props        BlobProps
}

// BlockSource says which of a blob's block lists a Put Block List entry
// is looked up in (Azure's Committed, Uncommitted and Latest elements).
type BlockSource int

// The block lists.
const (
	// BlockLatest looks in the uncommitted blocks first, then the committed.
	BlockLatest BlockSource = iota
	BlockCommitted
	BlockUncommitted
)

// BlockRef names one block of a block list, by the id the client gave it
// (its base64 text, compared as given).
type BlockRef struct {
	ID   string
	From BlockSource
}

// UploadLimits bound what one blob may take. Zero fields are no bound.
type UploadLimits struct {
	// MaxBlobBytes bounds a committed blob's size, and the total size of a
	// blob's uncommitted blocks.
	MaxBlobBytes int64
	// MaxBlockBytes bounds one block.
	MaxBlockBytes int64
	// MaxBlocks bounds a block list's length and a blob's uncommitted
	// blocks.
	MaxBlocks int
}

// ValidatedFile is one file of a connector's validated set: a blob's
// content as a validation read it.
type ValidatedFile struct {
	Name      string
	ContentID string
	// Size is the content's, as the store has it; SetValidatedFiles
	// ignores the one given.
	Size int64
}

// Errors of the upload store, which the blob endpoint maps to Azure's codes.
var (
	// ErrTooLarge: a body, block or blob over its UploadLimits bound.
	// Nothing is stored.
	ErrTooLarge = errors.New("upload too large")
	// ErrTooManyBlocks: a blob with UploadLimits.MaxBlocks uncommitted
	// blocks already, or a block list longer than that.
	ErrTooManyBlocks = errors.New("too many blocks")
	// ErrInvalidBlockList: a block list naming a block that is not in the
	// list it says (never uploaded, discarded, or of another blob).
	ErrInvalidBlockList = errors.New("invalid block list")
)

// UploadStore keeps upload containers, the blobs and blocks uploaded to
// them, and each connector's validated set (SPEC §11, getUploadSession).
//
// Bytes are streamed: every method taking an io.Reader reads it to its end
// in bounded memory and stores it in chunks, and nothing of a failed read
// (a client gone, a limit passed, ctx ended, the reader's own error) is
// ever visible. The reader's error is returned wrapped, so errors.Is finds
// it. Content is readable by every replica sharing the store.
//
// The blob methods take a container id and see no tenant: the endpoint
// that calls them knows only a signed URL. A container that was discarded
// (or never existed) is ErrNotFound to all of them.
type UploadStore interface {
	// CurrentUploadContainer returns the connector's container that is
	// valid at now (Expires after now) and false. When there is none, or
	// reset is true, it creates one, valid until now+ttl, and returns it
	// and true; in the same transaction it discards the connector's other
	// containers: their blobs and uncommitted blocks go, and so does their
	// content, except what a validated set or an inbound flow's data
	// (FlowStore: pinned by an import, or current) holds.
	CurrentUploadContainer(ctx context.Context, tenant TenantID, connectorID string, now time.Time, ttl time.Duration, reset bool) (UploadContainer, bool, error)
	// GetUploadContainer returns a container by id, whatever its tenant,
	// expired or not; ErrNotFound once discarded.
	GetUploadContainer(ctx context.Context, id string) (UploadContainer, error)
	// UploadContainerOf returns the connector's container valid at now,
	// creating none: ErrNotFound when it has none.
	UploadContainerOf(ctx context.Context, tenant TenantID, connectorID string, now time.Time) (UploadContainer, error)

	// PutBlob reads r to its end and commits it as the blob name, in place
	// of the content before (which stays readable by its ContentID until
	// the container is discarded). The blob's uncommitted blocks go.
	// props.ContentMD5, when empty, becomes the MD5 of what was read.
	// More than lim.MaxBlobBytes is ErrTooLarge.
	PutBlob(ctx context.Context, containerID, name string, r io.Reader, lim UploadLimits, props BlobProps) (BlobInfo, error)
	// PutBlock reads r to its end and stores it as the uncommitted block
	// blockID of blob name, replacing an uncommitted block of that id. It
	// returns the block's MD5. A block over lim.MaxBlockBytes, or one
	// bringing the blob's uncommitted blocks over lim.MaxBlobBytes, is
	// ErrTooLarge; a blob that has lim.MaxBlocks uncommitted blocks
	// already (this id not among them) is ErrTooManyBlocks.
	PutBlock(ctx context.Context, containerID, name, blockID string, r io.Reader, lim UploadLimits) ([]byte, error)
	// CommitBlockList commits the blocks, in order, as the blob's new
	// content, with props, in one transaction: a block may be listed more
	// than once, and one of the blob's current content (Committed or
	// Latest) is reused without copying. Every uncommitted block of the
	// blob goes, listed or not. A block not found in its list is
	// ErrInvalidBlockList, more than lim.MaxBlocks is ErrTooManyBlocks, a
	// total over lim.MaxBlobBytes is ErrTooLarge; then nothing changes.
	CommitBlockList(ctx context.Context, containerID, name string, blocks []BlockRef, lim UploadLimits, props BlobProps) (BlobInfo, error)
	// ListBlobs returns the container's committed blobs by name.
	ListBlobs(ctx context.Context, containerID string) ([]BlobInfo, error)
	// GetBlob returns one committed blob, or ErrNotFound.
	GetBlob(ctx context.Context, containerID, name string) (BlobInfo, error)
	// DeleteBlob deletes the blob name and its uncommitted blocks;
	// ErrNotFound when it has no committed content. Its content stays
	// readable by ContentID until the container is discarded.
	DeleteBlob(ctx context.Context, containerID, name string) error

	// OpenContent streams a content of the tenant, committed by PutBlob or
	// CommitBlockList, chunk by chunk (it never holds the whole in
	// memory), under ctx, which must outlive the reads. Another tenant's
	// content is ErrNotFound. Content stays readable until its container
	// is discarded, or while a validated set or a flow's data holds it
	// (FlowStore); should it go while
	// being read, a Read fails with ErrNotFound rather than ending early.
	// The reader has a method Size() int64, the content's size, so that
	// package roster sizes its sets once rather than growing them.
	OpenContent(ctx context.Context, tenant TenantID, contentID string) (io.ReadCloser, error)

	// SetValidatedFiles replaces the connector's validated set with files,
	// atomically. Every ContentID must be a content of the tenant (else
	// ErrNotFound, and nothing changes). The set keeps its contents
	// readable whatever becomes of their container; contents it held
	// before that nothing else keeps any more go.
	SetValidatedFiles(ctx context.Context, tenant TenantID, connectorID string, files []ValidatedFile) error
	// ValidatedFiles returns the connector's validated set, by name; empty
	// when there is none. Names are unique in a set (a second file of one
	// name is ErrDuplicate to SetValidatedFiles).
	ValidatedFiles(ctx context.Context, tenant TenantID, connectorID string) ([]ValidatedFile, error)
}
