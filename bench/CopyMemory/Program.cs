// Copy-memory benchmark: copies one large file through the RControl facade in each direction —
// local→local, local→SSH, SSH→local, SSH→SSH (throw-away sshd instances on loopback) — each in a fresh
// process, and prints the throughput and the process's peak working set (VmHWM) during the copy.
// Usage: dotnet run -c Release --project bench/CopyMemory [-- size-in-MiB] (default 1024).
// Needs /usr/sbin/sshd (openssh-server) and ssh-keygen.
using System.Diagnostics;
using System.Globalization;
using RControl;
using RControl.Files;
using RControl.TestSupport;

string[] directions = ["local-local", "local-ssh", "ssh-local", "ssh-ssh"];
var sizeMiB = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1024;

if (args.Length < 2)
{
    Console.WriteLine($"file: {sizeMiB} MiB, chunk: {CopyOptions.Default.ChunkSize / 1024} KiB, one process per direction");
    Console.WriteLine($"{"direction",-12} {"seconds",8} {"MiB/s",8} {"WS before MiB",14} {"peak WS MiB",12} {"copy adds MiB",14} {"RssAnon/RssFile",16}");
    foreach (var direction in directions)
    {
        var child = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (!Environment.ProcessPath!.EndsWith("CopyMemory", StringComparison.Ordinal))
        {
            child.ArgumentList.Add(typeof(CopyOptions).Assembly.Location.Replace("RControl.Actors.dll", "CopyMemory.dll", StringComparison.Ordinal));
        }

        child.ArgumentList.Add(sizeMiB.ToString(CultureInfo.InvariantCulture));
        child.ArgumentList.Add(direction);
        using var process = Process.Start(child)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var lines = output.Split('\n');
        Console.WriteLine(lines.FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))?["RESULT ".Length..] ?? $"{direction}: failed (exit {process.ExitCode})");
        Console.WriteLine("             " + lines.FirstOrDefault(l => l.StartsWith("GC: ", StringComparison.Ordinal)));
    }

    return;
}

var which = args[1];
var size = sizeMiB * 1024 * 1024;
using var work = new TempDir("rcontrol-bench-");
File.SetUnixFileMode(work.Path, (UnixFileMode)0b111_111_111); // the SSH login user writes here too
var source = work.PathOf("source.bin");
WriteFile(source, size);
var warmup = work.PathOf("warmup.bin");
WriteFile(warmup, 1024 * 1024);

var needsSsh = which.Contains("ssh", StringComparison.Ordinal);
await using var first = needsSsh ? await SshServer.StartAsync() : null;
await using var second = which == "ssh-ssh" ? await SshServer.StartAsync() : null;
await using var rc = RControlSystem.Create();
var from = which.StartsWith("ssh", StringComparison.Ordinal) ? rc.CreateSession("web1", first!.Spec()) : rc.CreateLocalSession("local");
var to = which switch
{
    "local-ssh" => rc.CreateSession("web1", first!.Spec()),
    "ssh-ssh" => rc.CreateSession("web2", second!.Spec()),
    _ => rc.CreateLocalSession("local2"),
};

// Warm up (JIT, connections, crypto) with a 1 MiB copy so the peak measures the copy itself.
await from.CopyFileAsync(warmup, to, work.PathOf("warmup-copy.bin"));
GC.Collect();
var before = Environment.WorkingSet;
File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM (Linux >= 4.0)

var allocatedBefore = GC.GetTotalAllocatedBytes();
var watch = Stopwatch.StartNew();
await from.CopyFileAsync(source, to, work.PathOf("copy.bin"));
watch.Stop();
var peak = Status("VmHWM");
if (new FileInfo(work.PathOf("copy.bin")).Length != size)
{
    throw new InvalidOperationException("the copy has the wrong size");
}

Console.WriteLine($"RESULT {which,-12} {watch.Elapsed.TotalSeconds,8:F1} {sizeMiB / watch.Elapsed.TotalSeconds,8:F0} {Mib(before),14} {Mib(peak),12} {Mib(peak - before),14} {Mib(Status("RssAnon")) + "/" + Mib(Status("RssFile")),16}");
var gc = GC.GetGCMemoryInfo();
Console.WriteLine($"GC: allocated during copy {Mib(GC.GetTotalAllocatedBytes() - allocatedBefore)} MiB, committed {Mib(gc.TotalCommittedBytes)} MiB, heap {Mib(gc.HeapSizeBytes)} MiB, gen0 collections {GC.CollectionCount(0)}");
await from.CloseAsync();
await to.CloseAsync();

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

// A /proc/self/status memory line, in bytes (RssAnon: heap and stacks; RssFile: mapped code and libraries).
static long Status(string key)
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

static long Mib(long bytes) => bytes / (1024 * 1024);
