using System.CommandLine;
using RControl.Host.Cli.Output;

namespace RControl.Host.Cli.Commands;

/// <summary>
/// <c>rcontrol logs JOB --daemon ADDR [--task T] [--follow] [--since …]</c>: a job's stored output prefixed as exec
/// prints it (<c>label: line</c>; stderr apart on stderr), following a running job live with <c>--follow</c>.
/// </summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var options = new JobCommandOptions();
        var job = JobCommandOptions.JobArgument();
        var task = new Option<string?>("--task") { Description = "Only this task: a plan task name, a session, or task@session.", HelpName = "task" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the job ends." };
        var since = JobCommandOptions.SinceOption("lines printed");
        var command = new Command("logs", "Print a job's output (stored on the daemon), prefixed by target; --follow prints new lines as they come.")
        {
            job, task, follow, since,
        };
        options.AddTo(command);
        options.SetAction(command, async (parse, engine, token) =>
        {
            var id = parse.GetValue(job)!;
            var only = parse.GetValue(task);
            var from = JobCommandOptions.Since(parse.GetValue(since));
            // Following waits for the daemon's job store through an outage (saying so); a plain read fails naming it.
            var info = await engine.GetJobAsync(id, waitForStore: parse.GetValue(follow), token).ConfigureAwait(false);
            if (only is not null && !info.Tasks.Any(t => Matches(t.Name, t.Session, t.Label, only)))
            {
                throw new UsageException($"--task: job {id} has no task '{only}' (tasks: {string.Join(", ", info.Tasks.Select(t => t.Label).Distinct())})");
            }

            var included = info.Tasks.Where(t => only is null || Matches(t.Name, t.Session, t.Label, only)).Select(t => t.Index).ToHashSet();
            var stdout = new BatchedWriter(CliRuntime.StdoutWriter());
            var stderr = new BatchedWriter(Console.Error);
            await foreach (var line in engine.ReadJobOutputAsync(id, parse.GetValue(follow), token).ConfigureAwait(false))
            {
                if (!included.Contains(line.TaskIndex) || (from is { } f && line.At < f))
                {
                    continue;
                }

                (line.Stderr ? stderr : stdout).WriteLine(line.Label, line.Text);
                if (parse.GetValue(follow))
                {
                    stdout.Flush();
                    stderr.Flush();
                }
            }

            stdout.Flush();
            stderr.Flush();
            var ended = await engine.GetJobAsync(id, waitForStore: parse.GetValue(follow), token).ConfigureAwait(false);
            JobText.WriteEnds(Console.Error, ended, t => included.Contains(t.Index));
            return 0;
        });
        return command;
    }

    private static bool Matches(string? name, string session, string label, string wanted) =>
        wanted == label || wanted == session || wanted == name;
}
