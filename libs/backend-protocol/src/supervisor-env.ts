/** The environment variable in which flanneld gives a backend its own pid (the parent-death check). */
export const SUPERVISOR_PID_ENV = 'FLANNEL_SUPERVISOR_PID';
