/* main.c — placeholder until the event loop lands. */
int main(void) { return 0; }
