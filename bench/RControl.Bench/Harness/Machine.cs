using System.Runtime.InteropServices;
using RControl.TestSupport;

namespace RControl.Bench.Harness;

/// <summary>What the numbers were measured on.</summary>
public static class Machine
{
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    public static async Task<string> DescribeAsync()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim()
            : "?";
        string ssh;
        try
        {
            var result = await ProcessRunner.RunAsync("ssh", ["-V"]).ConfigureAwait(false);
            ssh = (result.Stderr + result.Stdout).Trim();
        }
        catch (Exception e)
        {
            ssh = $"? ({e.Message})";
        }

        return $"{Environment.ProcessorCount} cores, {cpu}, {memory} RAM; {RuntimeInformation.OSDescription}; " +
               $".NET {Environment.Version}; {ssh}; load average at start {LoadAverage()}";
    }
}
