#ifndef LEAVERSWEEP_CSQLITE_SHIM_H
#define LEAVERSWEEP_CSQLITE_SHIM_H

#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer; Swift does not import it.
// Returning it from C avoids an unsafeBitCast on the Swift side. It tells SQLite to copy the
// bound bytes before the bind call returns, so Swift buffers may be temporary.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

#endif
