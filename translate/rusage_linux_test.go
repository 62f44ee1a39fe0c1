package translate

// rusageThread is getrusage's RUSAGE_THREAD (Linux): the calling thread only.
const rusageThread = 1
