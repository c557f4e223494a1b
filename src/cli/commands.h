/* The `smb3d` subcommands implemented in cli/ (the user command is declared
 * in cli/cli.h). Each returns the process exit code: 0 ok, 1 error, 2 usage. */
#ifndef SMB3D_CLI_COMMANDS_H
#define SMB3D_CLI_COMMANDS_H

int cmd_run(int argc, char **argv);	     /* smb3d --config FILE / -s FILE */
int cmd_serve(int argc, char **argv);	     /* smb3d serve DIR ... */
int cmd_check_config(int argc, char **argv); /* smb3d check-config FILE */

#endif
