using System.Diagnostics;
using System.Globalization;
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
        await ProcessRunner.RunCheckedAsync("ssh", [.. scp._common, "-o", "ControlMaster=yes", "-o", "ControlPersist=yes", "-f", "-N", "-p", scp.Port.ToString(CultureInfo.InvariantCulture), scp._target]);
        return scp;
    }

    /// <summary>
    /// Runs <c>scp -q</c> with the given arguments over the master connection; returns its wall-clock seconds and the
    /// CPU seconds of the client side (scp and its ssh, through a shell that reports its children's times, plus
    /// the master connection's ssh, which does the encryption).
    /// </summary>
    public async Task<(double Seconds, double CpuSeconds)> RunAsync(IEnumerable<string> arguments)
    {
        var master = await MasterPidAsync();
        var masterBefore = CpuTicks($"/proc/{master}/stat", children: false);
        var watch = Stopwatch.StartNew();
        var result = await ProcessRunner.RunAsync(
            "sh", ["-c", "scp \"$@\"; status=$?; cat /proc/$$/stat; exit $status", "sh", .. _common, "-o", "ControlMaster=no", "-q", "-P", Port.ToString(CultureInfo.InvariantCulture), .. arguments]);
        watch.Stop();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"scp failed ({result.ExitCode}): {result.Stderr.Trim()}");
        }

        var cpu = Ticks(result.Stdout.Trim(), children: true) + CpuTicks($"/proc/{master}/stat", children: false) - masterBefore;
        return (watch.Elapsed.TotalSeconds, cpu / 100.0);
    }

    /// <summary>
    /// <c>tar -C source -cf - . | ssh host 'mkdir destination &amp;&amp; tar -C destination -xf -'</c> over the master
    /// connection: the classic way to move a tree; same time and CPU accounting as <see cref="RunAsync"/>.
    /// </summary>
    public async Task<(double Seconds, double CpuSeconds)> RunTarPipeAsync(string source, string destination)
    {
        var master = await MasterPidAsync();
        var masterBefore = CpuTicks($"/proc/{master}/stat", children: false);
        var watch = Stopwatch.StartNew();
        var result = await ProcessRunner.RunAsync(
            "sh",
            [
                "-c", "src=\"$1\"; shift; tar -C \"$src\" -cf - . | ssh \"$@\"; status=$?; cat /proc/$$/stat; exit $status", "sh", source,
                .. _common, "-o", "ControlMaster=no", "-p", Port.ToString(CultureInfo.InvariantCulture), _target, $"mkdir '{destination}' && tar -C '{destination}' -xf -",
            ]);
        watch.Stop();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"tar | ssh tar failed ({result.ExitCode}): {result.Stderr.Trim()}");
        }

        var cpu = Ticks(result.Stdout.Trim(), children: true) + CpuTicks($"/proc/{master}/stat", children: false) - masterBefore;
        return (watch.Elapsed.TotalSeconds, cpu / 100.0);
    }

    private static long CpuTicks(string statFile, bool children) => Ticks(File.ReadAllText(statFile), children);

    /// <summary>utime + stime (or, for <paramref name="children"/>, cutime + cstime) of a /proc/PID/stat line, in clock ticks (100 Hz).</summary>
    private static long Ticks(string stat, bool children)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var first = children ? 13 : 11; // fields 14/15 (utime, stime) and 16/17 (cutime, cstime), counted after "pid (comm)"
        return long.Parse(fields[first], CultureInfo.InvariantCulture) + long.Parse(fields[first + 1], CultureInfo.InvariantCulture);
    }

    private async Task<int> MasterPidAsync()
    {
        var check = await ProcessRunner.RunAsync("ssh", [.. _common, "-O", "check", _target]);
        var text = check.Stderr + check.Stdout;
        var start = text.IndexOf("pid=", StringComparison.Ordinal) + 4;
        return int.Parse(text[start..text.IndexOf(')', start)], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.RunAsync("ssh", [.. _common, "-O", "exit", _target]);
    }
}
