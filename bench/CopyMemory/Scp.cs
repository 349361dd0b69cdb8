using System.Diagnostics;
using RControl.TestSupport;

namespace RControl.Bench.CopyMemory;

/// <summary>
/// OpenSSH's scp against the benchmark's sshd, over one ControlMaster connection opened up front (warm, as RControl's
/// sessions are after their warm-up): each copy then pays no key exchange or authentication.
/// </summary>
internal sealed class Scp : IAsyncDisposable
{
    private readonly string[] _common;
    private readonly string _controlPath;
    private readonly string _target;

    private Scp(SshServer server, string controlPath)
    {
        _controlPath = controlPath;
        _target = $"{server.User.Name}@{server.Host}";
        _common =
        [
            "-F", server.SshConfigFile,
            "-i", server.ClientKey.PrivateKeyFile,
            "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes",
            "-o", $"UserKnownHostsFile={server.KnownHostsFile}",
            "-o", "StrictHostKeyChecking=yes",
            "-o", $"ControlPath={controlPath}",
        ];
        Port = server.Port;
    }

    private int Port { get; }

    /// <summary>Starts the master connection (<c>ssh -M -f -N</c>, persisting until disposed).</summary>
    public static async Task<Scp> StartAsync(SshServer server, string controlPath)
    {
        var scp = new Scp(server, controlPath);
        await ProcessRunner.RunCheckedAsync("ssh", [.. scp._common, "-o", "ControlMaster=yes", "-o", "ControlPersist=yes", "-f", "-N", "-p", scp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), scp._target]);
        return scp;
    }

    /// <summary>Runs <c>scp -q</c> with the given arguments over the master connection; returns its wall-clock seconds.</summary>
    public async Task<double> RunAsync(IEnumerable<string> arguments)
    {
        var watch = Stopwatch.StartNew();
        var result = await ProcessRunner.RunAsync("scp", [.. _common, "-o", "ControlMaster=no", "-q", "-P", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments]);
        watch.Stop();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"scp failed ({result.ExitCode}): {result.Stderr.Trim()}");
        }

        return watch.Elapsed.TotalSeconds;
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.RunAsync("ssh", [.. _common, "-O", "exit", _target]);
    }
}
