using System.CommandLine;
using Akka.Configuration;

namespace RControl.Host.Daemon;

/// <summary>
/// <c>rcontrol daemon credentials issue NAME [--sessions a,b] [--ops exec,file-read] --config FILE [--out FILE]</c>:
/// mints a client credential from the daemon's CA and records its grants in the daemon's state;
/// <c>revoke NAME --config FILE</c> revokes it; <c>list --config FILE</c> shows them (a running daemon applies both
/// within a second); <c>issue-node NAME --config FILE --out DIR</c> writes a cluster node's state for another machine.
/// </summary>
internal static class CredentialsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The client identity (the certificate's common name)." };
        var config = new Option<FileInfo>("--config", "-c") { Description = "The daemon's HOCON file (its state directory holds the CA).", Required = true };
        var sessions = new Option<string?>("--sessions") { Description = "Sessions or groups this client may use, comma-separated (\"*\" for all)." };
        var ops = new Option<string?>("--ops") { Description = "Operations allowed there, comma-separated: exec, file-read, file-write, open, kill, admin." };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Where to write the PKCS#12 credential (default: NAME.pfx here); mode 0600." };
        var days = new Option<int>("--days") { Description = "Validity in days (default 365).", DefaultValueFactory = _ => 365 };
        var issue = new Command("issue", "Mint a client credential (certificate + key, the daemon's CA and server certificate) and grant it sessions and operations.")
        {
            name, config, sessions, ops, output, days,
        };
        issue.SetAction(async (result, _) =>
        {
            try
            {
                var merged = DaemonConfig.Read(result.GetValue(config)!);
                var state = DaemonState.LoadOrCreate(DaemonState.DirectoryOf(merged));
                var who = result.GetValue(name)!;
                var path = result.GetValue(output)?.FullName ?? Path.GetFullPath($"{who}.pfx");
                state.Issue(who, Split(result.GetValue(sessions)), Split(result.GetValue(ops)), path, TimeSpan.FromDays(Math.Max(1, result.GetValue(days))), RControl.Security.CredentialLocator.Password);
                await Console.Out.WriteLineAsync($"credential '{who}' written to {path}; grants recorded in {state.ClientsFile} (a running daemon applies them within a second)").ConfigureAwait(false);
                return 0;
            }
            catch (ConfigurationException e)
            {
                await Console.Error.WriteLineAsync($"rcontrol daemon credentials: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        var revokedName = new Argument<string>("name") { Description = "The client identity to revoke (every credential issued under it)." };
        var revokeConfig = new Option<FileInfo>("--config", "-c") { Description = "The daemon's HOCON file (its state directory holds the CA).", Required = true };
        var revoke = new Command("revoke", "Revoke a client credential: it may no longer log in, and a running daemon logs it out within a second (its commands are killed).")
        {
            revokedName, revokeConfig,
        };
        revoke.SetAction((result, _) => RunAsync(result.GetValue(revokeConfig)!, async state =>
        {
            var who = result.GetValue(revokedName)!;
            state.Revoke(who);
            await Console.Out.WriteLineAsync($"credential '{who}' revoked (recorded in {state.ClientsFile})").ConfigureAwait(false);
        }));

        var listConfig = new Option<FileInfo>("--config", "-c") { Description = "The daemon's HOCON file (its state directory holds the CA).", Required = true };
        var list = new Command("list", "List the credentials this daemon issued (the bootstrap admin included) and whether each is revoked.") { listConfig };
        list.SetAction((result, _) => RunAsync(result.GetValue(listConfig)!, async state =>
        {
            foreach (var (who, isRevoked) in state.List())
            {
                await Console.Out.WriteLineAsync(isRevoked ? $"{who}\trevoked" : $"{who}\tactive").ConfigureAwait(false);
            }
        }));

        return new Command("credentials", "Manage the client credentials of a daemon.") { issue, IssueNode(), revoke, list };
    }

    private static async Task<int> RunAsync(FileInfo config, Func<DaemonState, Task> action)
    {
        try
        {
            await action(DaemonState.LoadOrCreate(DaemonState.DirectoryOf(DaemonConfig.Read(config)))).ConfigureAwait(false);
            return 0;
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"rcontrol daemon credentials: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    /// <summary>
    /// <c>rcontrol daemon credentials issue-node NAME --config FILE --out DIR [--days N]</c>: the state directory of a
    /// cluster node for another machine (node certificate, admin credential, the CA's certificate without its key).
    /// </summary>
    private static Command IssueNode()
    {
        var name = new Argument<string>("name") { Description = "The node's name (its certificate's common name)." };
        var config = new Option<FileInfo>("--config", "-c") { Description = "The HOCON file of a daemon of the cluster whose state directory holds the CA.", Required = true };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "The new node's state directory to write (mode 0700): copy it to the other machine and name it in rcontrol.daemon.state-dir there.", Required = true };
        var days = new Option<int>("--days") { Description = "Validity in days (default 365).", DefaultValueFactory = _ => 365 };
        var command = new Command("issue-node", "Issue a node credential for another machine from the cluster's CA: a state directory its daemon uses to join the cluster.")
        {
            name, config, output, days,
        };
        command.SetAction(async (result, _) =>
        {
            try
            {
                var state = DaemonState.LoadOrCreate(DaemonState.DirectoryOf(DaemonConfig.Read(result.GetValue(config)!)));
                var who = result.GetValue(name)!;
                var directory = result.GetValue(output)!.FullName;
                state.IssueNode(who, directory, TimeSpan.FromDays(Math.Max(1, result.GetValue(days))));
                await Console.Out.WriteLineAsync(
                    $"node '{who}' written to {directory}; copy it to the node's machine and set rcontrol.daemon.state-dir to it there (with the cluster's seed nodes)").ConfigureAwait(false);
                return 0;
            }
            catch (ConfigurationException e)
            {
                await Console.Error.WriteLineAsync($"rcontrol daemon credentials: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }

    private static string[] Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
