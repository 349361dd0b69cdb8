using System.CommandLine;
using System.Text.Json;
using Akka.Configuration;
using RControl.Cluster;
using RControl.Host.Cli.Running;
using RControl.Remote;
using RControl.Security;

namespace RControl.Host.Cli;

/// <summary>
/// <c>rcontrol nodes --daemon ADDR</c>: the members of the daemon's cluster, one per line — address, Akka member status,
/// roles (zones), and the sessions, tasks and client connections each holds (<c>-</c> when a node did not answer).
/// </summary>
internal static class NodesCommand
{
    public static Command Create()
    {
        var daemon = new Option<string?>("--daemon") { Description = "Any node of the cluster (akka.ssl.tcp://rcontrol@host:port).", HelpName = "address" };
        var credential = new Option<string?>("--credential") { Description = "The client credential file (default: $RCONTROL_CREDENTIAL, then the per-user file the daemon wrote).", HelpName = "file" };
        var json = new Option<bool>("--json") { Description = "One JSON object per node per line." };
        var command = new Command("nodes", "List the members of a daemon cluster: address, status, roles, sessions, tasks, connections.")
        {
            daemon, credential, json,
        };
        command.SetAction((result, cancellationToken) => CliRuntime.InvokeAsync(
            token => RunAsync(result.GetValue(daemon), result.GetValue(credential), result.GetValue(json), token),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? daemon, string? credential, bool json, CancellationToken cancellationToken)
    {
        if (daemon is null)
        {
            throw new UsageException("nodes: --daemon <address> is required (any node of the cluster)");
        }

        if (!daemon.StartsWith("akka.tcp://", StringComparison.Ordinal) && !daemon.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal))
        {
            throw new UsageException($"--daemon '{daemon}' is not an Akka address (akka.ssl.tcp://rcontrol@host:port)");
        }

        var config = ConfigurationFactory.ParseString("akka.loglevel = OFF\nakka.stdout-loglevel = OFF");
        if (credential is not null)
        {
            config = ConfigurationFactory.ParseString($"rcontrol.remote.credential = {JsonSerializer.Serialize(credential)}").WithFallback(config);
        }

        try
        {
            await using var engine = await RemoteEngine.ConnectAsync(daemon, config, cancellationToken).ConfigureAwait(false);
            var nodes = await engine.ListNodesAsync(cancellationToken).ConfigureAwait(false);
            if (nodes.Count == 0)
            {
                await Console.Error.WriteLineAsync($"rcontrol: {daemon} is a single daemon, not a cluster node").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            foreach (var node in nodes)
            {
                await Console.Out.WriteLineAsync(json ? Json(node) : Line(node)).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }
        catch (Exception e) when (e is EngineUnreachableException or RemoteSecurityException or AccessDeniedException)
        {
            await Console.Error.WriteLineAsync($"rcontrol: error: {e.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }

    private static string Line(ClusterMember node) =>
        $"{node.Address} {node.Status} roles={(node.Roles.Count == 0 ? "-" : string.Join(",", node.Roles))} sessions={Count(node.Sessions)} tasks={Count(node.Tasks)} connections={Count(node.Connections)}";

    private static string Count(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-";

    private static string Json(ClusterMember node) => JsonSerializer.Serialize(new
    {
        address = node.Address,
        status = node.Status,
        roles = node.Roles,
        sessions = node.Sessions,
        tasks = node.Tasks,
        connections = node.Connections,
    });
}
