package httpapi

import (
	"slices"
	"strings"
)

// The order of a batch: dependsOn makes a request wait for the requests it
// names, and run only if each of them succeeded (SPEC §6). Ids are matched
// without regard to letter case, as Graph matches them.

// linkDependencies checks the ids of reqs (each different, letter case
// aside) and turns every dependsOn into indexes. A dependency on no request
// of the batch, on the request itself, or in a cycle is an error of the
// batch.
func linkDependencies(reqs []batchRequest) error {
	ids := make(map[string]int, len(reqs))
	for i, rq := range reqs {
		key := strings.ToLower(rq.id)
		if j, dup := ids[key]; dup {
			return batchError(batchMember(i, "id"), "The id '%s' of %s is also the id of %s; the ids of a batch must differ (letter case aside).",
				clipPath(rq.id), batchMember(i, ""), batchMember(j, ""))
		}
		ids[key] = i
	}
	for i := range reqs {
		for _, id := range reqs[i].depIDs {
			j, ok := ids[strings.ToLower(id)]
			switch {
			case !ok:
				return batchError(batchMember(i, "dependsOn"), "%s depends on '%s', which is the id of no request of the batch.",
					batchMember(i, ""), clipPath(id))
			case j == i:
				return batchError(batchMember(i, "dependsOn"), "%s depends on itself.", batchMember(i, ""))
			case !slices.Contains(reqs[i].deps, j):
				reqs[i].deps = append(reqs[i].deps, j)
			}
		}
		reqs[i].depIDs = nil
	}
	_, err := batchOrder(reqs)
	return err
}

// batchOrder is the order the requests are run and answered in: the order
// sent, except that a request comes after every request it depends on.
// A cycle of dependencies is an error naming it.
func batchOrder(reqs []batchRequest) ([]int, error) {
	placed := make([]bool, len(reqs))
	order := make([]int, 0, len(reqs))
	ready := func(i int) bool {
		for _, d := range reqs[i].deps {
			if !placed[d] {
				return false
			}
		}
		return true
	}
	for len(order) < len(reqs) {
		next := -1
		for i := range reqs {
			if !placed[i] && ready(i) {
				next = i
				break
			}
		}
		if next < 0 {
			return nil, cycleError(reqs, placed)
		}
		placed[next] = true
		order = append(order, next)
	}
	return order, nil
}

// cycleError names a cycle among the requests not placed: each of them
// waits for another one not placed, so following those leads back to a
// request already seen.
func cycleError(reqs []batchRequest, placed []bool) error {
	start := slices.Index(placed, false)
	var path []int
	seen := map[int]int{}
	for cur := start; ; {
		if at, ok := seen[cur]; ok {
			path = append(path[at:], cur)
			break
		}
		seen[cur] = len(path)
		path = append(path, cur)
		for _, d := range reqs[cur].deps {
			if !placed[d] {
				cur = d
				break
			}
		}
	}
	names := make([]string, len(path))
	for k, i := range path {
		names[k] = "'" + clipPath(reqs[i].id) + "'"
	}
	return batchError(batchMember(path[0], "dependsOn"), "The requests of the batch depend on each other in a cycle: %s.", strings.Join(names, " → "))
}
