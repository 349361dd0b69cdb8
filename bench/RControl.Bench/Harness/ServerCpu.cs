using System.Globalization;

namespace RControl.Bench.Harness;

/// <summary>
/// CPU time (user + system) of an sshd and everything it starts. As root with a writable cgroup-v1 <c>cpuacct</c>
/// hierarchy, the sshd is moved into a cgroup of its own: every process it forks stays in it, so the count includes
/// what outlives its parent (a command's shell that sshd leaves behind when a connection closes, as the guardian's is)
/// and what is still running. Otherwise it falls back to <see cref="TreeCpu"/> (the sshd tree with the children each
/// process has reaped: orphans reparented away are not counted). <see cref="Method"/> says which one measured.
/// </summary>
public sealed class ServerCpu : IDisposable
{
    private const string CpuAcct = "/sys/fs/cgroup/cpuacct";
    private readonly int _root;
    private readonly string? _group;

    public ServerCpu(int sshdPid)
    {
        _root = sshdPid;
        try
        {
            var group = Path.Combine(CpuAcct, $"rcontrol-bench-{Environment.ProcessId}-{sshdPid}");
            Directory.CreateDirectory(group);
            File.WriteAllText(Path.Combine(group, "cgroup.procs"), sshdPid.ToString(CultureInfo.InvariantCulture));
            _group = group;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _group = null;
        }
    }

    /// <summary>How the server's CPU is counted, for the notes.</summary>
    public string Method => _group is not null
        ? "sshd and every process it started, in a cgroup of their own (cpuacct.usage)"
        : "the sshd tree with the children it reaped (/proc; shells left behind by a closed connection not counted)";

    /// <summary>Milliseconds of CPU used so far.</summary>
    public double Milliseconds()
    {
        if (_group is not null)
        {
            try
            {
                return long.Parse(File.ReadAllText(Path.Combine(_group, "cpuacct.usage")).Trim(), CultureInfo.InvariantCulture) / 1e6;
            }
            catch (Exception e) when (e is IOException or FormatException)
            {
                return double.NaN;
            }
        }

        return TreeCpu.Milliseconds(_root);
    }

    /// <summary>Waits (up to <paramref name="bound"/>) until sshd has nothing left running but its listener: every connection's processes have ended.</summary>
    public async Task WaitForIdleAsync(TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (DateTime.UtcNow < deadline && Busy())
        {
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    private bool Busy()
    {
        try
        {
            if (_group is not null)
            {
                return File.ReadAllLines(Path.Combine(_group, "cgroup.procs")).Count(l => l.Length > 0) > 1;
            }

            return File.ReadAllText($"/proc/{_root}/task/{_root}/children").Trim().Length > 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_group is null)
        {
            return;
        }

        try
        {
            // Back to the root group first, so the directory can go (an empty cgroup is removed with rmdir).
            foreach (var pid in File.ReadAllLines(Path.Combine(_group, "cgroup.procs")).Where(l => l.Length > 0))
            {
                File.WriteAllText(Path.Combine(CpuAcct, "cgroup.procs"), pid);
            }

            Directory.Delete(_group);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The sshd has gone already (its processes leave the group with it).
        }
    }
}
