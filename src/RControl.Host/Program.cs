using System.CommandLine;
using RControl.Host.Cli;
using RControl.Host.Daemon;

var root = new RootCommand("rcontrol: run shell commands on local and SSH hosts, stream their output, wait for them all.");
root.Subcommands.Add(ExecCommand.Create());
root.Subcommands.Add(DaemonCommand.Create());
return await root.Parse(args).InvokeAsync();
