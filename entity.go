package industrydata

// EntityID returns the operation's id; schema reads ids through this method
// because every entity type inherits id from microsoft.graph.entity.
func (o *Operation) EntityID() string { return o.ID }

// EntityID returns the process's id.
func (p *Process) EntityID() string { return p.ID }

// EntityID returns the run's id.
func (r *Run) EntityID() string { return r.ID }

// EntityID returns the activity's id.
func (a *RunActivity) EntityID() string { return a.ID }

// EntityETag returns the process's eTag, the property mutableEntity adds.
func (p *Process) EntityETag() string { return p.ETag }

// EntityID returns the report's id, the id of the run that produced it.
func (r *UserReport) EntityID() string { return r.ID }
