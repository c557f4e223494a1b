/* Samba parameters smb3d does not implement (see cfg_unsupported_param). */
#include "config/config_int.h"

#include <string.h>

/* Samba parameters common in real smb.conf files that smb3d does not
 * implement. Those that change nothing about who may do what get a "not
 * supported" warning (with a hint when ignoring them matters) instead of
 * "unknown". Those that would narrow access (always, or with the value
 * named by `narrows`) stop the server: serving more openly than the file
 * says is never done quietly. */
enum narrowing { N_NO, N_ALWAYS, N_IF_YES, N_IF_NO };

struct unsupported {
	const char *key;
	const char *hint; /* NULL: nothing to add */
	enum narrowing narrows;
};

static const char perms[] = "new files and directories would not take their parent directory's permissions";

static const struct unsupported unsupported_table[] = {
	{ "smbpasswdfile", "use 'passdb backend = smbpasswd:PATH' instead", N_NO },
	{ "security", "smb3d always uses user-level security", N_NO },
	{ "include", "the included file would NOT be read; put its settings in this file", N_ALWAYS },
	{ "configfile", "the named file would NOT be read; put its settings in this file", N_ALWAYS },
	{ "copy", "the other share's settings would NOT be copied; repeat them in this share", N_ALWAYS },
	{ "serverrole", NULL, N_NO }, { "disablenetbios", NULL, N_NO }, { "loadprinters", NULL, N_NO },
	{ "printing", NULL, N_NO }, { "printcap", NULL, N_NO }, { "printcapname", NULL, N_NO },
	{ "disablespoolss", NULL, N_NO }, { "printable", NULL, N_NO }, { "printok", NULL, N_NO },
	{ "logfile", NULL, N_NO }, { "maxlogsize", NULL, N_NO }, { "logging", NULL, N_NO }, { "syslog", NULL, N_NO },
	{ "syslogonly", NULL, N_NO }, { "debugtimestamp", NULL, N_NO }, { "timestamplogs", NULL, N_NO },
	{ "debugpid", NULL, N_NO }, { "debuguid", NULL, N_NO }, { "privatedir", NULL, N_NO },
	{ "lockdirectory", NULL, N_NO }, { "statedirectory", NULL, N_NO }, { "cachedirectory", NULL, N_NO },
	{ "piddirectory", NULL, N_NO }, { "ncalrpcdir", NULL, N_NO }, { "vfsobjects", NULL, N_NO },
	{ "vfsobject", NULL, N_NO }, { "storedosattributes", NULL, N_NO }, { "kerneloplocks", NULL, N_NO },
	{ "kernelsharemodes", NULL, N_NO }, { "oplocks", NULL, N_NO }, { "leveliioplocks", NULL, N_NO },
	{ "strictlocking", NULL, N_NO }, { "posixlocking", NULL, N_NO },
	{ "guestonly", "users would keep their own identity", N_IF_YES },
	{ "onlyguest", "users would keep their own identity", N_IF_YES },
	{ "usershareallowguests", NULL, N_NO }, { "usersharemaxshares", NULL, N_NO }, { "usersharepath", NULL, N_NO },
	{ "usershareowneronly", NULL, N_NO },
	{ "obeypamrestrictions", "PAM account checks would not apply (set it to no to accept that)", N_IF_YES },
	{ "pamauthtokchange", NULL, N_NO }, { "passwdprogram", NULL, N_NO }, { "passwdchat", NULL, N_NO },
	{ "unixpasswordsync", NULL, N_NO }, { "passwordserver", NULL, N_NO }, { "realm", NULL, N_NO },
	{ "encryptpasswords", NULL, N_NO }, { "nullpasswords", NULL, N_NO },
	{ "usernamemap", "users would log on under the names they send", N_ALWAYS },
	{ "winbindenumusers", NULL, N_NO }, { "winbindenumgroups", NULL, N_NO },
	{ "winbindusedefaultdomain", NULL, N_NO }, { "winbindseparator", NULL, N_NO }, { "templateshell", NULL, N_NO },
	{ "templatehomedir", NULL, N_NO }, { "dnsproxy", NULL, N_NO }, { "winssupport", NULL, N_NO },
	{ "winsserver", NULL, N_NO }, { "localmaster", NULL, N_NO }, { "domainmaster", NULL, N_NO },
	{ "preferredmaster", NULL, N_NO }, { "oslevel", NULL, N_NO }, { "domainlogons", NULL, N_NO },
	{ "nameresolveorder", NULL, N_NO }, { "aioreadsize", NULL, N_NO }, { "aiowritesize", NULL, N_NO },
	{ "socketoptions", NULL, N_NO }, { "deadtime", NULL, N_NO }, { "keepalive", NULL, N_NO },
	{ "maxxmit", NULL, N_NO }, { "deletevetofiles", NULL, N_NO },
	{ "manglednames", NULL, N_NO }, { "preservecase", NULL, N_NO }, { "shortpreservecase", NULL, N_NO },
	{ "defaultcase", NULL, N_NO }, { "dosfilemode", NULL, N_NO }, { "dosfiletimes", NULL, N_NO },
	{ "inheritpermissions", perms, N_IF_YES },
	{ "inheritacls", NULL, N_NO },
	{ "inheritowner", "new files would belong to their creator", N_IF_YES },
	{ "mapaclinherit", NULL, N_NO }, { "ntaclsupport", NULL, N_NO }, { "aclallowexecutealways", NULL, N_NO },
	{ "easupport", NULL, N_NO }, { "mapsystem", NULL, N_NO }, { "maphidden", NULL, N_NO },
	{ "maparchive", NULL, N_NO }, { "mapreadonly", NULL, N_NO },
	{ "followsymlinks", "symlinks inside the share would be followed", N_IF_NO },
	{ "widelinks", NULL, N_NO }, { "allowinsecurewidelinks", NULL, N_NO }, { "unixextensions", NULL, N_NO },
	{ "panicaction", NULL, N_NO }, { "timeserver", NULL, N_NO }, { "serverservices", NULL, N_NO },
	{ "dcerpcendpointservers", NULL, N_NO }, { "multicastdnsregister", NULL, N_NO }, { "mdnsname", NULL, N_NO },
	{ "fstype", NULL, N_NO }, { "volume", NULL, N_NO },
	{ "availability", "the share would be available", N_IF_NO },
	{ "maxdisksize", NULL, N_NO }, { "dfreecommand", NULL, N_NO }, { "preexec", NULL, N_NO },
	{ "exec", NULL, N_NO }, { "postexec", NULL, N_NO }, { "rootpreexec", NULL, N_NO },
	{ "rootpostexec", NULL, N_NO }, { "serverschannel", NULL, N_NO },
	{ "preexecclose", "connections would not be refused by the script", N_IF_YES },
	{ "rootpreexecclose", "connections would not be refused by the script", N_IF_YES },
	{ "hideunwriteablefiles", "those files would be listed", N_IF_YES },
	{ "accessbasedshareenum", "every share would be listed to everyone", N_IF_YES },
	{ "onlyuser", "users outside the list would be let in", N_IF_YES },
	{ "dontdescend", "those directories would be open", N_ALWAYS },
	{ "servermultichannelsupport", NULL, N_NO }, { "smb2leases", NULL, N_NO }, { "smb2maxread", NULL, N_NO },
	{ "smb2maxwrite", NULL, N_NO }, { "smb2maxtrans", NULL, N_NO }, { "smb2maxcredits", NULL, N_NO },
	{ "durablehandles", NULL, N_NO }, { "strictsync", NULL, N_NO }, { "syncalways", NULL, N_NO },
	{ "lanmanauth", NULL, N_NO }, { "rawntlmv2auth", NULL, N_NO }, { "clientminprotocol", NULL, N_NO },
	{ "clientmaxprotocol", NULL, N_NO }, { "clientsigning", NULL, N_NO }, { "clientipcsigning", NULL, N_NO },
	{ "clientsmbencrypt", NULL, N_NO }, { "clientntlmv2auth", NULL, N_NO }, { "clientlanmanauth", NULL, N_NO },
	{ "clientusespnego", NULL, N_NO }, { "usernamelevel", NULL, N_NO }, { "passwordlevel", NULL, N_NO },
	{ "msdfsroot", NULL, N_NO }, { "hostmsdfs", NULL, N_NO }, { "addusertogroupscript", NULL, N_NO },
	{ "adduserscript", NULL, N_NO }, { "deleteuserscript", NULL, N_NO }, { "addmachinescript", NULL, N_NO },
	{ "logonpath", NULL, N_NO }, { "logondrive", NULL, N_NO }, { "logonhome", NULL, N_NO },
	{ "logonscript", NULL, N_NO }, { "maxprotocolversion", NULL, N_NO },
};


bool cfg_unsupported_param(struct cfg_loader *L, const char *key, const char *name, int yes)
{
	const struct unsupported *u = NULL;
	for (size_t i = 0; i < sizeof(unsupported_table) / sizeof(unsupported_table[0]); i++)
		if (strcmp(unsupported_table[i].key, key) == 0)
			u = &unsupported_table[i];
	if (!u)
		return false;
	if (u->narrows == N_ALWAYS || (u->narrows == N_IF_YES && yes != 0) || (u->narrows == N_IF_NO && yes != 1))
		cfg_diag(L, true,
			 "'%s' restricts access but smb3d does not implement it, so it would serve more openly than "
			 "this file says (%s); remove the line to accept that",
			 name, u->hint ? u->hint : "the restriction would not apply");
	else
		cfg_diag(L, false, "parameter '%s' is not supported by smb3d, ignored%s%s", name, u->hint ? "; " : "",
			 u->hint ? u->hint : "");
	return true;
}
