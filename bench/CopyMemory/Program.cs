// Copy-memory benchmark: copies one large file local→local, local→SSH, SSH→local and SSH→SSH through the
// RControl facade and prints, for each, the throughput and the process's peak working set (VmHWM, reset
// between runs). Usage: dotnet run -c Release --project bench/CopyMemory [-- size-in-MiB] (default 1024).
// Needs /usr/sbin/sshd (openssh-server) and ssh-keygen for the SSH directions.
using System.Diagnostics;
using System.Globalization;
using RControl;
using RControl.Files;
using RControl.TestSupport;

var sizeMiB = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
var size = sizeMiB * 1024 * 1024;

using var work = new TempDir("rcontrol-bench-");
File.SetUnixFileMode(work.Path, (UnixFileMode)0b111_111_111); // the SSH login user writes here too
var source = work.PathOf("source.bin");
WriteFile(source, size);
var small = work.PathOf("warmup.bin");
WriteFile(small, 1024 * 1024);

await using var first = await SshServer.StartAsync();
await using var second = await SshServer.StartAsync();
await using var rc = RControlSystem.Create();
var local = rc.CreateLocalSession("local");
var web1 = rc.CreateSession("web1", first.Spec());
var web2 = rc.CreateSession("web2", second.Spec());

Console.WriteLine($"file: {sizeMiB} MiB, chunk: {CopyOptions.Default.ChunkSize / 1024} KiB, baseline working set: {Mib(Environment.WorkingSet)} MiB");
Console.WriteLine($"{"direction",-16} {"seconds",8} {"MiB/s",8} {"WS before MiB",14} {"peak WS MiB",12} {"RssAnon/RssFile after",22}");
await RunAsync("local -> local", local, source, local, work.PathOf("ll.bin"));
await RunAsync("local -> ssh", local, source, web1, work.PathOf("ls.bin"));
await RunAsync("ssh -> local", web1, work.PathOf("ls.bin"), local, work.PathOf("sl.bin"));
await RunAsync("ssh -> ssh", web1, work.PathOf("ls.bin"), web2, work.PathOf("ss.bin"));
await local.CloseAsync();
await web1.CloseAsync();
await web2.CloseAsync();

async Task RunAsync(string name, Session from, string fromPath, Session to, string toPath)
{
    // Warm up (JIT, connections, crypto) with a 1 MiB copy so the peak measures the copy itself.
    await local.CopyFileAsync(small, from, fromPath + ".warmup");
    await from.CopyFileAsync(fromPath + ".warmup", to, toPath + ".warmup");
    File.Delete(fromPath + ".warmup");
    File.Delete(toPath + ".warmup");
    GC.Collect();
    var before = Environment.WorkingSet;
    ResetPeak();
    var watch = Stopwatch.StartNew();
    await from.CopyFileAsync(fromPath, to, toPath);
    watch.Stop();
    if (new FileInfo(toPath).Length != size)
    {
        throw new InvalidOperationException($"{name}: wrong size");
    }

    var peak = PeakWorkingSet();
    Console.WriteLine($"{name,-16} {watch.Elapsed.TotalSeconds,8:F1} {sizeMiB / watch.Elapsed.TotalSeconds,8:F0} {Mib(before),14} {Mib(peak),12} {Status("RssAnon") + "/" + Status("RssFile"),22}");
    if (toPath != work.PathOf("ls.bin"))
    {
        File.Delete(toPath); // ls.bin is the source of the SSH-side runs
    }
}

static void WriteFile(string path, long size)
{
    var chunk = new byte[1024 * 1024];
    new Random(1).NextBytes(chunk);
    using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
    for (long left = size; left > 0; left -= chunk.Length)
    {
        chunk[0]++;
        stream.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
    }
}

// Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), so each direction reports its own peak.
static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

static long PeakWorkingSet()
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

// A /proc/self/status memory line in MiB: RssAnon is heap and stacks, RssFile the mapped code and libraries.
static string Status(string key)
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
    return (long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).ToString(CultureInfo.InvariantCulture);
}

static long Mib(long bytes) => bytes / (1024 * 1024);
