/* json_arena.c — jansson's allocations of one parse from a kept buffer. */
#include "json_arena.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

static _Thread_local json_arena_t *arena_active;  /* this thread's scope, or NULL */
static json_malloc_t arena_prev_malloc = malloc;  /* the allocator before ours */
static json_free_t arena_prev_free = free;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void *arena_malloc(size_t n)
{
    json_arena_t *a = arena_active;
    if (a && a->buf) {
        size_t need = (n + 15) & ~(size_t)15;          /* malloc's alignment */
        if (need >= n && need <= JSON_ARENA_SIZE - a->used) {
            void *p = a->buf + a->used;
            a->used += need;
            return p;
        }
        a->spilled++;
    }
    return arena_prev_malloc(n);
}

/* A block of the active arena is given back at leave; anything else is freed. */
static void arena_free(void *p)
{
    json_arena_t *a = arena_active;
    if (a && a->buf && (uintptr_t)p >= (uintptr_t)a->buf &&
        (uintptr_t)p < (uintptr_t)a->buf + JSON_ARENA_SIZE)
        return;
    arena_prev_free(p);
}

static void arena_install(void)
{
    json_malloc_t m = NULL;
    json_free_t f = NULL;
    json_get_alloc_funcs(&m, &f);
    if (m && f) {
        arena_prev_malloc = m;
        arena_prev_free = f;
    }
    json_set_alloc_funcs(arena_malloc, arena_free);
}

int json_arena_init(json_arena_t *a)
{
    a->used = 0;
    a->spilled = 0;
    a->buf = malloc(JSON_ARENA_SIZE);
    if (!a->buf)
        return -1;
    pthread_once(&arena_once, arena_install);
    return 0;
}

void json_arena_free(json_arena_t *a)
{
    if (arena_active == a)
        arena_active = NULL;
    free(a->buf);
    a->buf = NULL;
}

void json_arena_enter(json_arena_t *a)
{
    a->used = 0;
    arena_active = a;
}

void json_arena_leave(json_arena_t *a)
{
    if (arena_active == a)
        arena_active = NULL;
    a->used = 0;
}
