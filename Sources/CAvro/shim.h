#include <avro.h>
