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
        var detach = new Option<bool>("--detach", "-d") { Description = "With --daemon: run the plan as a job on the daemon, print its id and return at once." };
        var command = new Command("run", "Run a plan: tasks with dependencies, as a graph.");
        command.Arguments.Add(file);
        command.Options.Add(stopAll);
        command.Options.Add(detach);
        common.AddTo(command);
        command.SetAction((parse, ct) => CliRuntime.InvokeAsync(
            async token =>
            {
                var settings = common.Settings(parse) with { StopAllOnFailure = parse.GetValue(stopAll) };
                var path = parse.GetValue(file)!;
                var inventory = parse.GetValue(common.Inventory) is null ? null : common.LoadInventory(parse);
                var defaults = common.SshDefaults(parse, settings);
                if (parse.GetValue(detach) && settings.Daemon is null)
                {
                    throw new UsageException("--detach needs --daemon: only a daemon keeps jobs");
                }

                if (settings.Daemon is null)
                {
                    // Refuse a bad plan before starting anything (with a daemon, its session names are needed first).
                    PlanParser.ParseFile(path, inventory);
                }

                await using var engine = await CliRuntime.StartEngineAsync(settings, token).ConfigureAwait(false);
                var plan = PlanParser.ParseFile(path, Targets.InventoryFiles.Merge(engine.KnownSessions, inventory));
                if (parse.GetValue(detach))
                {
                    return await Commands.DetachedJob.SubmitAsync(engine, Commands.DetachedJob.ForPlan(plan, path, settings, defaults, engine), token).ConfigureAwait(false);
                }

                var units = await PlanJob.RunAsync(engine, plan, settings, defaults, CliRuntime.CreateView(settings), token).ConfigureAwait(false);
                return RunUnit.ExitStatus(units);
            },
            ct));
        return command;
    }
}
