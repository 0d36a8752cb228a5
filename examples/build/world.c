#include <stdio.h>

int main(void) {
	printf("world\n");
	return 0;
}
