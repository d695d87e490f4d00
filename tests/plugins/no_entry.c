/* SPDX-License-Identifier: MIT */
/* no_entry.c: a shared object that is not a tileproc plugin (no tproc_plugin_init). */
__attribute__((visibility("default"))) int some_other_function(void);
int some_other_function(void)
{
    return 42;
}
