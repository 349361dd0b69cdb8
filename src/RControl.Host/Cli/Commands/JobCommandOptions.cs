using RControl.Protocol;
using System.CommandLine;
using System.Globalization;
using RControl.Jobs;
using RControl.Remote;

namespace RControl.Host.Cli.Commands;

/// <summary>The options every job command takes (<c>--daemon</c>, <c>--credential</c>, <c>--verbose</c>), and its error handling.</summary>
internal sealed class JobCommandOptions
{
    public Option<string> Daemon { get; } = new("--daemon") { Description = "The daemon (akka.tcp://rcontrol@host:port).", HelpName = "address", Required = true };

    public Option<string?> Credential { get; } = new("--credential") { Description = "The client credential file (default: $RCONTROL_CREDENTIAL, then the per-user file the daemon wrote).", HelpName = "file" };

    public Option<bool> Verbose { get; } = new("--verbose") { Description = "Show the engine's warnings." };

    public void AddTo(Command command)
    {
        command.Options.Add(Daemon);
        command.Options.Add(Credential);
        command.Options.Add(Verbose);
    }

    /// <summary>Runs the body with a logged-in engine: unknown job → status 2, denied → status 1, each one line.</summary>
    public void SetAction(Command command, Func<ParseResult, RemoteEngine, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, ct) => CliRuntime.InvokeAsync(
            async token =>
            {
                await using var engine = await CliRuntime.ConnectAsync(parse.GetValue(Daemon)!, parse.GetValue(Verbose), parse.GetValue(Credential), token).ConfigureAwait(false);
                engine.JobStoreWaiting += (_, waiting) => Console.Error.WriteLine($"rcontrol: {waiting.Reason}; waiting for it (the job runs on)");
                try
                {
                    return await body(parse, engine, token).ConfigureAwait(false);
                }
                catch (JobNotFoundException e)
                {
                    return CliRuntime.Usage(e.Message);
                }
                catch (AccessDeniedException e)
                {
                    await Console.Error.WriteLineAsync($"rcontrol: error: {e.Message}").ConfigureAwait(false);
                    return Running.ExitCodes.Failed;
                }
            },
            ct));

    /// <summary>
    /// <c>--since</c>: a duration back from now (<c>1h</c>, <c>30m</c>, <c>2d</c>) or a date and time (<c>2026-11-30T10:00Z</c>).
    /// </summary>
    public static DateTimeOffset? Since(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && text.Contains('-', StringComparison.Ordinal))
        {
            return at;
        }

        try
        {
            return DateTimeOffset.UtcNow - DurationText.Parse("--since", text);
        }
        catch (UsageException e)
        {
            throw new UsageException($"--since: '{text}' is neither a duration back from now (1h, 30m, 2d) nor a date and time (2026-11-30T10:00Z)", e);
        }
    }

    public static Option<string?> SinceOption(string what) => new("--since") { Description = $"Only {what} since then: a duration back from now (1h, 30m, 2d) or a date and time (2026-11-30T10:00Z).", HelpName = "when" };

    public static Argument<string> JobArgument() => new("job") { Description = "The job id (printed by --detach, listed by rcontrol jobs)." };
}
