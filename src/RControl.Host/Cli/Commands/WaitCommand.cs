using System.CommandLine;
using RControl.Jobs;

namespace RControl.Host.Cli.Commands;

/// <summary><c>rcontrol wait JOB --daemon ADDR</c>: waits for the job's end; exits as exec would (0 ok, 1 failed, 3 timed out).</summary>
internal static class WaitCommand
{
    public static Command Create()
    {
        var options = new JobCommandOptions();
        var job = JobCommandOptions.JobArgument();
        var json = new Option<bool>("--json") { Description = "Print the ended job (with its tasks) as one JSON object." };
        var command = new Command("wait", "Wait until a job has ended; exit with its status as exec would (0 ok, 1 failed, 3 timed out).")
        {
            job, json,
        };
        options.AddTo(command);
        options.SetAction(command, async (parse, engine, token) =>
        {
            var ended = await engine.WaitForJobAsync(parse.GetValue(job)!, token).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JobText.ToJson(ended));
            }
            else
            {
                Console.Out.WriteLine($"job {ended.Id} {ended.State.Name()}: {JobText.Counts(ended)}");
                JobText.WriteEnds(Console.Error, ended, _ => true);
            }

            return ended.ExitStatus;
        });
        return command;
    }
}
