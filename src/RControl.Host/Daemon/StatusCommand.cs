using System.CommandLine;
using Akka.Configuration;
using RControl.Remote;

namespace RControl.Host.Daemon;

/// <summary>
/// <c>rcontrol daemon status [--daemon ADDR] [--credential FILE]</c>: logs in to the daemon as <c>exec --daemon</c> does
/// and lists its sessions. Healthy: one line on stdout, status 0. Otherwise one line on stderr naming the problem,
/// status 1 (status 2 for bad usage). For systemd (<c>ExecStartPost</c>, a watchdog script) and Kubernetes exec probes.
/// </summary>
internal static class StatusCommand
{
    /// <summary>The daemon's default endpoint (see <c>hocon/daemon.conf</c>).</summary>
    public const string DefaultAddress = "akka.tcp://rcontrol@127.0.0.1:4053";

    public static Command Create()
    {
        var daemon = new Option<string?>("--daemon") { Description = $"The daemon's address (default {DefaultAddress}).", HelpName = "address" };
        var credential = new Option<string?>("--credential") { Description = "The client credential file (default: $RCONTROL_CREDENTIAL, then the per-user file the daemon wrote).", HelpName = "file" };
        var timeout = new Option<string?>("--timeout") { Description = "How long to wait for the daemon's answer (default 10s).", HelpName = "duration" };
        var command = new Command("status", "Check that a daemon answers an authenticated login: exit 0 when healthy, else 1 with one line saying why.")
        {
            daemon, credential, timeout,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            TimeSpan? wait;
            try
            {
                wait = result.GetValue(timeout) is { } text ? Cli.DurationText.Parse("--timeout", text) : null;
            }
            catch (Cli.UsageException e)
            {
                await Console.Error.WriteLineAsync($"rcontrol daemon status: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            return await RunAsync(result.GetValue(daemon) ?? DefaultAddress, result.GetValue(credential), wait, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(string address, string? credential, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (!address.StartsWith("akka.tcp://", StringComparison.Ordinal) && !address.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"rcontrol daemon status: --daemon '{address}' is not an Akka address (akka.tcp://rcontrol@host:port)").ConfigureAwait(false);
            return 2;
        }

        var config = ConfigurationFactory.ParseString("akka.loglevel = OFF\nakka.stdout-loglevel = OFF");
        if (timeout is { } wait)
        {
            config = ConfigurationFactory.ParseString($"rcontrol.remote.ask-timeout = {Math.Max(1, (long)wait.TotalMilliseconds)}ms").WithFallback(config);
        }

        if (credential is not null)
        {
            config = ConfigurationFactory.ParseString($"rcontrol.remote.credential = {System.Text.Json.JsonSerializer.Serialize(credential)}").WithFallback(config);
        }

        try
        {
            await using var engine = await RemoteEngine.ConnectAsync(address, config, cancellationToken).ConfigureAwait(false);
            var sessions = await engine.ListSessionsAsync(cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"healthy: {address} answers (logged in as '{engine.Identity}'; {sessions.Count} session(s))").ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"rcontrol daemon status: unhealthy: {e.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return 1;
        }
    }
}
