using System.CommandLine;
using RControl.Host.Cli;
using RControl.Host.Daemon;

var root = new RootCommand("rcontrol: run shell commands on local and SSH hosts, stream their output, wait for them all.");
root.Subcommands.Add(ExecCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(CopyCommand.Create());
root.Subcommands.Add(DaemonCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // Bad usage: one line naming the problem, status 2, nothing runs.
    return CliRuntime.Usage(string.Join("; ", parse.Errors.Select(e => e.Message)));
}

return parse.CommandResult.Command.Name == "daemon"
    ? await parse.InvokeAsync()
    : await CliRuntime.InvokeCancellableAsync(parse);
