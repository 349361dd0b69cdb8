using System.Text.Json;
using System.Text.Json.Serialization;
using RControl.Host.Cli.Running;
using RControl.Protocol;

namespace RControl.Host.Cli.Output;

/// <summary>
/// <c>--json</c>: one JSON object per task per line on stdout, written as each task ends, with
/// <c>session</c>, <c>command</c>, <c>exitCode</c>, <c>timedOut</c>, <c>error</c>, <c>startedAt</c>,
/// <c>endedAt</c>, <c>durationMs</c>, <c>task</c> (plans), plus <c>state</c> and the <c>output</c> lines.
/// </summary>
public sealed class JsonView : IRunView
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,

        // Commands are full of quotes and apostrophes: keep them readable (the output is not embedded in HTML).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly TextWriter _out;
    private readonly object _gate = new();

    public JsonView(TextWriter stdout)
    {
        _out = stdout;
    }

    /// <summary>The JSON object of one unit.</summary>
    public sealed record Result(
        string? Task,
        string Session,
        string Command,
        string State,
        int? ExitCode,
        bool TimedOut,
        string? Error,
        DateTimeOffset? StartedAt,
        DateTimeOffset? EndedAt,
        long? DurationMs,
        IReadOnlyList<string> Output,
        IReadOnlyList<string>? Stderr);

    /// <summary>Serialises one unit to one line.</summary>
    public static string Serialize(RunUnit unit)
    {
        var output = unit.Output;
        var stderr = output.Where(l => l.Stream == OutputStream.Stderr).Select(l => l.Text).ToArray();
        var result = new Result(
            unit.Task,
            unit.Session,
            unit.Command,
            JsonNamingPolicy.CamelCase.ConvertName(unit.State.ToString()),
            unit.ExitCode,
            unit.TimedOut,
            unit.Error,
            unit.StartedAt,
            unit.EndedAt,
            unit.StartedAt is { } s && unit.EndedAt is { } e ? (long)(e - s).TotalMilliseconds : null,
            output.Where(l => l.Stream == OutputStream.Stdout).Select(l => l.Text).ToArray(),
            stderr.Length > 0 ? stderr : null);
        return JsonSerializer.Serialize(result, Options);
    }

    public void Queued(RunUnit unit)
    {
    }

    public void Started(RunUnit unit)
    {
    }

    public void Line(RunUnit unit, OutputStream stream, string line)
    {
    }

    public void Ended(RunUnit unit)
    {
        var json = Serialize(unit);
        lock (_gate)
        {
            _out.WriteLine(json);
            _out.Flush();
        }
    }

    public Task RunAsync(Func<Task> job) => job();

    public void Finish(IReadOnlyList<RunUnit> units)
    {
    }
}
