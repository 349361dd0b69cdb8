// Copy benchmark: RControl's copies side by side with OpenSSH's scp against one loopback sshd, in one run.
// Each RControl copy runs in a fresh process (its peak working set is the copy's); each scp reuses a warm
// ControlMaster connection, as RControl reuses its warmed-up session. Source files are dropped from the page cache
// (posix_fadvise DONTNEED) before every copy, for both sides; every result is checked by SHA-256.
// Usage: dotnet run -c Release --project bench/CopyMemory [-- size-in-MiB]
//        [--only local-ssh,ssh-local,ssh-ssh,tree,tree-files,tree20k,tree20k-files]
//        (tree: 2,000 × 4 KiB with CopyMethod.Auto, i.e. tar; tree-files: the same file by file over SFTP; tree20k…: 20,000 files;
//        tree rows are compared with both scp -r and tar | ssh tar)
//        [--runs N] (alternating runs per side, medians compared; default 3)
//        [--heap-limit-row]   (also runs the single-file copies under a 48 MiB GC heap limit, in rows named for it)
// Needs /usr/sbin/sshd (openssh-server), ssh, scp and ssh-keygen.
using System.Diagnostics;
using System.Globalization;
using RControl.Bench.CopyMemory;
using RControl.TestSupport;

if (args.Length > 0 && args[0] == "child")
{
    return await CopyChild.RunAsync(args[1..]);
}

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("""
        usage: dotnet run -c Release --project bench/CopyMemory -- [size-in-MiB] [options]
          size-in-MiB        size of the single file copied (default 1024)
          --only LIST        comma-separated rows: local-ssh, ssh-local, ssh-ssh (single file, beside scp / scp -3),
                             tree, tree-files, tree20k, tree20k-files (2,000 / 20,000 files of 4 KiB, tar or file by
                             file, beside scp -r and tar | ssh tar); default: all
          --runs N           runs per side, alternating, medians compared (default 3)
          --heap-limit-row   also run the single-file copies under a 48 MiB GC heap limit (the streaming proof)
        needs /usr/sbin/sshd, ssh, scp and ssh-keygen; prints one markdown row per copy and the single runs on stderr
        """);
    return 0;
}

var sizeMiB = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
var only = Option("--only")?.Split(',') ?? ["local-ssh", "ssh-local", "ssh-ssh", "tree", "tree-files", "tree20k", "tree20k-files"];
var heapLimitRow = args.Contains("--heap-limit-row");
var runs = int.Parse(Option("--runs") ?? "3", CultureInfo.InvariantCulture);

await using var server = await SshServer.StartAsync();
using var work = new TempDir("rcontrol-copybench-");
File.SetUnixFileMode(work.Path, (UnixFileMode)0b111_111_111); // the SSH login user reads and writes here too
await using var scp = await Scp.StartAsync(server, work.PathOf("control.sock"));

var source = work.PathOf("source.bin");
TestData.WriteRandom(source, sizeMiB * 1024 * 1024);
var sourceHash = TestData.Sha256(source);
var tree = work.PathOf("tree");
TestData.WriteTree(tree, folders: 20, filesPerFolder: 100, fileSize: 4096);
var treeHash = TestData.TreeHash(tree);
var tree20k = work.PathOf("tree20k");
var tree20kHash = string.Empty;
if (only.Any(o => o.StartsWith("tree20k", StringComparison.Ordinal)))
{
    TestData.WriteTree(tree20k, folders: 200, filesPerFolder: 100, fileSize: 4096);
    tree20kHash = TestData.TreeHash(tree20k);
}

var machine = $"{Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}, {(await ProcessRunner.RunAsync("ssh", ["-V"])).Stderr.Trim()}";
Console.WriteLine($"copy benchmark: {sizeMiB} MiB file, trees of 20 × 100 and 200 × 100 files of 4 KiB; {machine}; sshd {server.Host}:{server.Port} as {server.User.Name}");
Console.WriteLine("source files dropped from the page cache before each copy; connections warm on both sides; results checked by SHA-256");
Console.WriteLine();
Console.WriteLine("| copy | OpenSSH | OpenSSH s | RControl s | ratio | RControl MiB/s | OpenSSH client CPU s | RControl CPU s | CPU ratio | WS before | peak WS | copy adds |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

var failed = false;
var remote = $"{server.User.Name}@{server.Host}";
foreach (var which in only)
{
    var destination = work.PathOf("copy-" + which);
    var isTree = which.StartsWith("tree", StringComparison.Ordinal);
    var from = which.StartsWith("tree20k", StringComparison.Ordinal) ? tree20k : isTree ? tree : source;
    var (baseline, scpArgs) = which switch
    {
        "local-ssh" => ("scp", new[] { source, $"{remote}:{destination}" }),
        "ssh-local" => ("scp", new[] { $"{remote}:{source}", destination }),
        "ssh-ssh" => ("scp -3", new[] { "-3", $"{remote}:{source}", $"{remote}:{destination}" }),
        "tree" or "tree-files" or "tree20k" or "tree20k-files" => ("scp -r", new[] { "-r", from, $"{remote}:{destination}" }),
        _ => throw new ArgumentException($"unknown copy '{which}' (local-ssh, ssh-local, ssh-ssh, tree, tree-files, tree20k, tree20k-files)"),
    };
    var expected = which.StartsWith("tree20k", StringComparison.Ordinal) ? tree20kHash : isTree ? treeHash : sourceHash;

    // Alternating runs (scp, [tar | ssh tar,] RControl, scp, …) so all sides see the same load; medians are compared.
    var scpTimes = new List<(double Seconds, double CpuSeconds)>();
    var tarTimes = new List<(double Seconds, double CpuSeconds)>();
    var results = new List<CopyResult>();
    for (var run = 0; run < runs; run++)
    {
        Prepare(from, destination);
        scpTimes.Add(await scp.RunAsync(scpArgs));
        failed |= !Check("scp", which, destination, isTree, expected);

        if (isTree)
        {
            Prepare(from, destination);
            tarTimes.Add(await scp.RunTarPipeAsync(from, destination));
            failed |= !Check("tar | ssh tar", which, destination, isTree, expected);
        }

        Prepare(from, destination);
        var result = await CopyChild.StartAsync(server, which, from, destination, heapLimit: false);
        failed |= result is null || !Check("RControl", which, destination, isTree, expected);
        if (result is not null)
        {
            results.Add(result);
        }
    }

    var scpMedian = (Median(scpTimes.Select(t => t.Seconds).ToList()), Median(scpTimes.Select(t => t.CpuSeconds).ToList()));
    Print(which, baseline, scpMedian, results.Count == 0 ? null : Summary(results), isTree ? 0 : sizeMiB);
    if (isTree)
    {
        var tarMedian = (Median(tarTimes.Select(t => t.Seconds).ToList()), Median(tarTimes.Select(t => t.CpuSeconds).ToList()));
        Print(which, "tar \\| ssh tar", tarMedian, results.Count == 0 ? null : Summary(results), 0);
    }

    Console.Error.WriteLine(FormattableString.Invariant($"{which}: scp {string.Join(" ", scpTimes.Select(t => $"{t.Seconds:F2}s/{t.CpuSeconds:F2}cpu"))}; tar|ssh {string.Join(" ", tarTimes.Select(t => $"{t.Seconds:F2}s/{t.CpuSeconds:F2}cpu"))}; RControl {string.Join(" ", results.Select(r => $"{r.Seconds:F2}s/{r.CpuSeconds:F2}cpu"))}"));

    if (heapLimitRow && !isTree)
    {
        Prepare(source, destination);
        var limited = await CopyChild.StartAsync(server, which, source, destination, heapLimit: true);
        failed |= limited is null || !Check("RControl (heap limit)", which, destination, isTree, expected);
        Print(which + " under a 48 MiB GC heap limit", baseline, scpMedian, limited, sizeMiB);
    }
}

return failed ? 1 : 0;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

// Median times; the largest peak seen over the runs.
static CopyResult Summary(List<CopyResult> results) =>
    new(Median(results.Select(r => r.Seconds).ToList()), Median(results.Select(r => r.CpuSeconds).ToList()), results.Min(r => r.BeforeMiB), results.Max(r => r.PeakMiB));

static void Prepare(string source, string destination)
{
    if (Directory.Exists(destination))
    {
        Directory.Delete(destination, recursive: true);
    }

    File.Delete(destination);
    TestData.DropFromPageCache(source);
}

static bool Check(string side, string which, string destination, bool isTree, string expected)
{
    var actual = isTree ? TestData.TreeHash(destination) : TestData.Sha256(destination);
    if (actual == expected)
    {
        return true;
    }

    Console.WriteLine($"| {which} | {side}: CONTENT MISMATCH (expected {expected[..12]}…, got {actual[..12]}…) |");
    return false;
}

static void Print(string which, string baseline, (double Seconds, double CpuSeconds) scp, CopyResult? result, long sizeMiB)
{
    if (result is null)
    {
        Console.WriteLine($"| {which} | {baseline} | {scp.Seconds:F2} | failed | | | {scp.CpuSeconds:F2} | | | | | |");
        return;
    }

    var rate = sizeMiB > 0 ? (sizeMiB / result.Seconds).ToString("F0", CultureInfo.InvariantCulture) : "–";
    Console.WriteLine(
        $"| {which} | {baseline} | {scp.Seconds:F2} | {result.Seconds:F2} | {result.Seconds / scp.Seconds:F2}× | {rate} | {scp.CpuSeconds:F2} | {result.CpuSeconds:F2} | " +
        $"{result.CpuSeconds / scp.CpuSeconds:F2}× | {result.BeforeMiB} MiB | {result.PeakMiB} MiB | {result.PeakMiB - result.BeforeMiB} MiB |");
}
