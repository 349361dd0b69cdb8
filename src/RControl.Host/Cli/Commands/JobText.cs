using System.Globalization;
using System.Text.Json;
using RControl.Jobs;

namespace RControl.Host.Cli.Commands;

/// <summary>How the job commands print jobs: aligned rows for people, one JSON object per line for scripts.</summary>
internal static class JobText
{
    // As exec --json: commands keep their < > & ' readable.
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Time(DateTimeOffset? at) => at?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";

    public static string Counts(JobInfo job) => $"{job.Succeeded} ok, {job.Failed} failed, {job.TimedOut} timed out";

    public static void WriteTable(TextWriter writer, IReadOnlyList<JobInfo> jobs)
    {
        var rows = new List<string[]> { new[] { "ID", "OWNER", "STATE", "STARTED", "ENDED", "OK/FAILED/TIMEOUT", "TARGETS", "WHAT" } };
        rows.AddRange(jobs.Select(j => new[]
        {
            j.Id,
            j.Owner,
            j.State.Name(),
            Time(j.StartedAt ?? j.CreatedAt),
            Time(j.EndedAt),
            $"{j.Succeeded}/{j.Failed}/{j.TimedOut}",
            string.Join(",", j.Targets),
            j.Description.ReplaceLineEndings(" "),
        }));
        var widths = Enumerable.Range(0, 7).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            writer.WriteLine(string.Join("  ", row.Take(7).Select((cell, i) => cell.PadRight(widths[i]))) + "  " + row[7]);
        }
    }

    /// <summary>One line of JSON; <c>tasks</c> only when the job was read with them (<c>wait --json</c>, not <c>jobs --json</c>).</summary>
    public static string ToJson(JobInfo job)
    {
        var node = JsonSerializer.SerializeToNode(Fields(job), Json)!.AsObject();
        if (job.Tasks.Count > 0)
        {
            node["tasks"] = JsonSerializer.SerializeToNode(
                job.Tasks.Select(t => new
                {
                    index = t.Index,
                    task = t.Name,
                    session = t.Session,
                    command = t.Command,
                    state = t.State.Name(),
                    startedAt = t.StartedAt,
                    endedAt = t.EndedAt,
                    exitCode = t.ExitCode,
                    error = t.Error,
                }),
                Json);
        }

        return node.ToJsonString(Json);
    }

    private static object Fields(JobInfo job) => new
    {
        id = job.Id,
        owner = job.Owner,
        kind = job.Kind,
        description = job.Description,
        targets = job.Targets,
        state = job.State.Name(),
        createdAt = job.CreatedAt,
        startedAt = job.StartedAt,
        endedAt = job.EndedAt,
        succeeded = job.Succeeded,
        failed = job.Failed,
        timedOut = job.TimedOut,
        outputBytes = job.OutputBytes,
        truncated = job.Truncated,
    };

    /// <summary>The end of each task that did not succeed, as exec prints it (<c>label: FAILED: reason</c>), and the truncation.</summary>
    public static void WriteEnds(TextWriter error, JobInfo job, Func<JobTaskInfo, bool> include)
    {
        foreach (var task in job.Tasks.Where(t => include(t) && t.State.IsEnded() && t.State != JobState.Succeeded))
        {
            error.WriteLine($"{task.Label}: {Word(task.State)}: {task.Error}");
        }

        if (job.Truncated)
        {
            error.WriteLine($"rcontrol: job {job.Id}: output truncated at {job.OutputBytes} bytes (the daemon's rcontrol.daemon.jobs.output-cap)");
        }
    }

    public static string Word(JobState state) => state switch
    {
        JobState.Succeeded => "ok",
        JobState.Failed => "FAILED",
        JobState.TimedOut => "TIMEOUT",
        JobState.Killed => "KILLED",
        JobState.Interrupted => "INTERRUPTED",
        _ => state.Name(),
    };
}
