using System.CommandLine;
using RControl.Host.Cli.Plans;
using RControl.Host.Cli.Running;

namespace RControl.Host.Cli;

/// <summary><c>rcontrol run &lt;plan.hocon&gt; [options]</c>: run a plan's task graph.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var file = new Argument<string>("plan") { Description = "The plan file (HOCON: sessions, groups, tasks)." };
        var stopAll = new Option<bool>("--stop-all")
        {
            Description = "On the first failure, start nothing more and kill what runs (default: skip only the failed task's dependents).",
        };
        var command = new Command("run", "Run a plan: tasks with dependencies, as a graph.");
        command.Arguments.Add(file);
        command.Options.Add(stopAll);
        common.AddTo(command);
        command.SetAction((parse, ct) => CliRuntime.InvokeAsync(
            async token =>
            {
                var settings = common.Settings(parse) with { StopAllOnFailure = parse.GetValue(stopAll) };
                var plan = PlanParser.ParseFile(parse.GetValue(file)!, parse.GetValue(common.Inventory) is null ? null : common.LoadInventory(parse));
                await using var system = CliRuntime.StartEngine(settings);
                var units = await PlanJob.RunAsync(system, plan, settings, common.SshDefaults(parse), CliRuntime.CreateView(settings), token).ConfigureAwait(false);
                return RunUnit.ExitStatus(units);
            },
            ct));
        return command;
    }
}
