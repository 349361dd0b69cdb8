using System.CommandLine;
using RControl.Jobs;

namespace RControl.Host.Cli.Commands;

/// <summary><c>rcontrol jobs --daemon ADDR [--running] [--since …] [--mine] [--json]</c>: the daemon's jobs, newest first.</summary>
internal static class JobsCommand
{
    public static Command Create()
    {
        var options = new JobCommandOptions();
        var running = new Option<bool>("--running") { Description = "Only queued or running jobs." };
        var since = JobCommandOptions.SinceOption("jobs created");
        var mine = new Option<bool>("--mine") { Description = "Only the jobs of this credential's identity." };
        var json = new Option<bool>("--json") { Description = "One JSON object per job per line." };
        var limit = new Option<int>("--limit") { Description = "At most this many jobs (default 100, at most 1000).", DefaultValueFactory = _ => 100, HelpName = "n" };
        var command = new Command("jobs", "List the daemon's jobs: id, owner, state, times, counts, targets, what (yours; everyone's with kill or admin).")
        {
            running, since, mine, json, limit,
        };
        options.AddTo(command);
        options.SetAction(command, async (parse, engine, token) =>
        {
            var query = new JobQuery
            {
                RunningOnly = parse.GetValue(running),
                Mine = parse.GetValue(mine),
                Since = JobCommandOptions.Since(parse.GetValue(since)),
                Limit = Math.Clamp(parse.GetValue(limit), 1, 1000),
            };
            var jobs = await engine.ListJobsAsync(query, token).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                foreach (var job in jobs)
                {
                    Console.Out.WriteLine(JobText.ToJson(job));
                }
            }
            else
            {
                JobText.WriteTable(Console.Out, jobs);
            }

            return 0;
        });
        return command;
    }
}
