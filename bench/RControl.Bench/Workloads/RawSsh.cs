using Renci.SshNet;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>The raw SSH.NET baselines: an <see cref="SshClient"/> with the client key, host key checked by fingerprint.</summary>
public static class RawSsh
{
    public const string FastKeyExchange = "curve25519-sha256";

    /// <summary>
    /// A client for the test server. By default curve25519 is tried first, as RControl's connector does (the fair
    /// baseline); <paramref name="fastKeyExchange"/> = false keeps SSH.NET's default order (a note of W4).
    /// </summary>
    public static SshClient Create(SshServer server, bool fastKeyExchange = true) =>
        Create(server.Host, server.Port, server.User.Name, server.ClientKey.PrivateKeyFile, server.HostKey.Fingerprint, fastKeyExchange);

    /// <summary>The same from the server's details (for a child process); <paramref name="hostKeyFingerprint"/> is "SHA256:…".</summary>
    public static SshClient Create(string host, int port, string user, string keyFile, string hostKeyFingerprint, bool fastKeyExchange = true)
    {
        var key = new PrivateKeyFile(keyFile);
        var info = new ConnectionInfo(host, port, user, new PrivateKeyAuthenticationMethod(user, key));
        if (fastKeyExchange)
        {
            var all = info.KeyExchangeAlgorithms.ToList();
            info.KeyExchangeAlgorithms.Clear();
            foreach (var (name, factory) in all.OrderBy(a => a.Key == FastKeyExchange ? 0 : 1))
            {
                info.KeyExchangeAlgorithms.Add(name, factory);
            }
        }

        var client = new SshClient(info);
        client.HostKeyReceived += (_, e) => e.CanTrust = "SHA256:" + e.FingerPrintSHA256 == hostKeyFingerprint;
        return client;
    }

    public static async Task<SshClient> ConnectAsync(SshServer server, bool fastKeyExchange = true)
    {
        var client = Create(server, fastKeyExchange);
        await client.ConnectAsync(CancellationToken.None).ConfigureAwait(false);
        return client;
    }

    /// <summary>Runs a command and waits for it; throws on a non-zero exit.</summary>
    public static async Task<string> RunAsync(SshClient client, string command)
    {
        using var run = client.CreateCommand(command);
        await run.ExecuteAsync().ConfigureAwait(false);
        if (run.ExitStatus != 0)
        {
            throw new InvalidOperationException($"'{command}' exited with {run.ExitStatus}: {run.Error}");
        }

        return run.Result;
    }

    /// <summary>
    /// Reads a command's stdout line by line while it runs into <paramref name="onLine"/>, through the pipelined
    /// reader of <see cref="RawLines"/> (async reads of SSH.NET's output stream on one task, lines consumed on
    /// another); returns the line count.
    /// </summary>
    public static async Task<long> CountLinesAsync(SshClient client, string command, Action<string> onLine)
    {
        using var run = client.CreateCommand(command);
        var execution = run.ExecuteAsync();
        var count = await RawLines.PipelineAsync(run.OutputStream, onLine).ConfigureAwait(false);
        await execution.ConfigureAwait(false);
        return count;
    }
}
