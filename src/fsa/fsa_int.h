/* fsa/ internals shared by its files; not for other layers. */
#ifndef SMB3D_FSA_FSA_INT_H
#define SMB3D_FSA_FSA_INT_H

#include <pthread.h>

#include "base/idtable.h"

struct fsa_table {
	pthread_mutex_t lock; /* guards every struct fsa_file and its open list */
	struct idtable files; /* hash(dev, ino) -> chain of struct fsa_file_node */
};

#endif
