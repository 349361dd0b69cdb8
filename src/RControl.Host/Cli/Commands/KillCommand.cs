using System.CommandLine;

namespace RControl.Host.Cli.Commands;

/// <summary><c>rcontrol kill JOB --daemon ADDR</c>: kills a job's running tasks and skips its queued ones.</summary>
internal static class KillCommand
{
    public static Command Create()
    {
        var options = new JobCommandOptions();
        var job = JobCommandOptions.JobArgument();
        var command = new Command("kill", "Kill a job: its running tasks are killed on their hosts, its queued ones skipped.") { job };
        options.AddTo(command);
        options.SetAction(command, async (parse, engine, token) =>
        {
            var id = parse.GetValue(job)!;
            var wasRunning = await engine.KillJobAsync(id, token).ConfigureAwait(false);
            Console.Out.WriteLine(wasRunning ? $"job {id}: killing" : $"job {id} had already ended");
            return 0;
        });
        return command;
    }
}
