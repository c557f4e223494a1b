/* The `smb3d user` subcommand (the others are in cli/commands.h). Returns
 * the process exit code: 0 success, 1 error, 2 usage error. */
#ifndef SMB3D_CLI_CLI_H
#define SMB3D_CLI_CLI_H

/* argv[0] is "user", argv[1] the action (add, del, passwd, enable, disable,
 * list), then options (--config FILE or --passdb PATH, --help) and NAME. */
int cmd_user(int argc, char **argv);

#endif
