using System.CommandLine;
using RControl.Host.Cli;
using RControl.Host.Daemon;

if (args is not ["daemon", ..])
{
    // Start-up: no code generated at run time outside the daemon (its SQL mapper needs it). Akka.NET's actor
    // matchers and HOCON's compiled regexes are interpreted instead of compiled to IL and JIT-compiled: about 40 ms
    // of CPU less per run (bench/README.md, start-up). Set before anything reads RuntimeFeature.
    AppContext.SetSwitch("System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported", false);
}

StartupTrace.Mark("main");
StartupTrace.WatchLoads();
var root = new RootCommand("rcontrol: run shell commands on local and SSH hosts, stream their output, wait for them all.");
root.Subcommands.Add(ExecCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(CopyCommand.Create());
root.Subcommands.Add(DaemonCommand.Create());
root.Subcommands.Add(RControl.Host.Cli.Commands.JobsCommand.Create());
root.Subcommands.Add(RControl.Host.Cli.Commands.LogsCommand.Create());
root.Subcommands.Add(RControl.Host.Cli.Commands.WaitCommand.Create());
root.Subcommands.Add(RControl.Host.Cli.Commands.KillCommand.Create());
root.Subcommands.Add(RControl.Host.Cli.Commands.AttachCommand.Create());
root.Subcommands.Add(RControl.Host.Cli.Commands.AuditCommand.Create());
root.Subcommands.Add(NodesCommand.Create());
root.Subcommands.Add(CompletionCommand.Create(root));

if (args.Length == 0)
{
    return CliRuntime.Usage("no command given: rcontrol exec|run|copy|jobs|logs|wait|kill|attach|audit|daemon|nodes|completion … (see rcontrol --help)");
}

// No response files: '-t @host' is a target, not a file to read arguments from.
var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parse.Errors.Count > 0)
{
    // Bad usage: one line naming the problem, status 2, nothing runs.
    return CliRuntime.Usage(string.Join("; ", parse.Errors.Select(e => e.Message)));
}

StartupTrace.Mark("parsed");
var status = parse.CommandResult.Command.Name is "daemon" or "completion"
    ? await parse.InvokeAsync()
    : await CliRuntime.InvokeCancellableAsync(parse);
StartupTrace.Mark("exit");
return status;
