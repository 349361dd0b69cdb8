using System.Diagnostics;
using System.Globalization;
using RControl.Files;
using RControl.Protocol;
using RControl.TestSupport;

namespace RControl.Bench.CopyMemory;

/// <summary>What one RControl copy measured in its own process.</summary>
internal sealed record CopyResult(double Seconds, double CpuSeconds, long BeforeMiB, long PeakMiB);

/// <summary>
/// One RControl copy in a fresh process: sessions on the benchmark's sshd, a warm-up copy of the same kind over the
/// same sessions (connections, crypto, and enough chunks for the JIT's tiering to compile the hot paths: 32 MiB, or a
/// tree of 80 files), then the copy, timed, with its CPU time and the peak working set (<c>VmHWM</c>, reset just
/// before it).
/// </summary>
internal static class CopyChild
{
    /// <summary>48 MiB: the heap limit of the "streaming proof" rows (a copy that held more would fail).</summary>
    private const string HeapLimitHex = "0x3000000";

    public static async Task<CopyResult?> StartAsync(SshServer server, string which, string source, string destination, bool heapLimit)
    {
        var child = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("CopyMemory", StringComparison.Ordinal))
        {
            child.ArgumentList.Add(typeof(CopyChild).Assembly.Location);
        }

        foreach (var argument in new[]
                 {
                     "child", which, source, destination, server.Host, server.Port.ToString(CultureInfo.InvariantCulture), server.User.Name,
                     server.ClientKey.PrivateKeyFile, server.KnownHostsFile, server.SshConfigFile,
                 })
        {
            child.ArgumentList.Add(argument);
        }

        if (heapLimit)
        {
            child.Environment["DOTNET_GCHeapHardLimit"] = HeapLimitHex;
        }

        using var process = Process.Start(child)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            Console.Error.WriteLine($"{which}: RControl copy failed (exit {process.ExitCode}): {output}{await errors}");
            return null;
        }

        var parts = line.Split(' ');
        return new CopyResult(
            double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture));
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var (which, source, destination) = (args[0], args[1], args[2]);
        var spec = new SshSessionSpec(args[3])
        {
            Port = int.Parse(args[4], CultureInfo.InvariantCulture),
            User = args[5],
            IdentityFiles = [args[6]],
            KnownHostsFile = args[7],
            SshConfigFile = args[8],
            HostKeyPolicy = HostKeyPolicy.Strict,
        };

        await using var rc = RControlSystem.Create();
        var local = rc.CreateLocalSession("local");
        var (from, to) = which switch
        {
            "local-ssh" => (local, rc.CreateSession("web1", spec)),
            _ when which.StartsWith("tree", StringComparison.Ordinal) => (local, rc.CreateSession("web1", spec)),
            "ssh-local" => (rc.CreateSession("web1", spec), local),
            "ssh-ssh" => (rc.CreateSession("web1", spec), rc.CreateSession("web2", spec)),
            _ => throw new ArgumentException($"unknown copy '{which}'"),
        };

        // tree…-files: file by file over SFTP; other trees: CopyMethod.Auto (tar when both ends have it).
        var isTree = which.StartsWith("tree", StringComparison.Ordinal);
        var options = CopyOptions.Default with { Method = which.EndsWith("-files", StringComparison.Ordinal) ? CopyMethod.FileByFile : CopyMethod.Auto };
        var warmup = destination + ".warmup";
        var warmupCopy = destination + ".warmup-copy";
        if (isTree)
        {
            TestData.WriteTree(warmup, folders: 2, filesPerFolder: 40, fileSize: 4096);
            await from.CopyDirAsync(warmup, to, warmupCopy, options);
            Directory.Delete(warmup, recursive: true);
        }
        else
        {
            TestData.WriteRandom(warmup, 32 * 1024 * 1024);
            File.SetUnixFileMode(warmup, (UnixFileMode)0b110_100_100);
            await from.CopyFileAsync(warmup, to, warmupCopy);
            File.Delete(warmup);
        }

        await to.RemoveAsync(warmupCopy, recursive: true);
        GC.Collect();
        var before = Environment.WorkingSet;
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM (Linux >= 4.0)
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        if (isTree)
        {
            await from.CopyDirAsync(source, to, destination, options);
        }
        else
        {
            await from.CopyFileAsync(source, to, destination);
        }

        watch.Stop();
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var peak = Status("VmHWM");
        Console.WriteLine(FormattableString.Invariant($"RESULT {watch.Elapsed.TotalSeconds:F3} {cpuSeconds:F3} {before >> 20} {peak >> 20}"));
        await from.CloseAsync();
        await to.CloseAsync();
        return 0;
    }

    /// <summary>A /proc/self/status memory line, in bytes.</summary>
    private static long Status(string key)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
