using System.Diagnostics;
using RControl.TestSupport;

namespace RControl.Remote.Tests.Support;

/// <summary>
/// Runs this test assembly as a program (<see cref="Processes.ClientProgram"/>) or the rcontrol CLI in another process,
/// optionally as another Unix user (<c>runuser</c>), from a copy of the build output every user can read.
/// </summary>
public static class ClientProcess
{
    private static readonly Lazy<string> SharedBin = new(CopyBin);

    /// <summary>The build output, copied to a world-readable directory (the checkout may live under a private home).</summary>
    public static string Bin => SharedBin.Value;

    /// <summary>Starts <c>dotnet DLL args</c> (as <paramref name="user"/> when given), output captured.</summary>
    public static Process Start(string dll, IReadOnlyList<string> args, string? user = null, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(user is null ? "dotnet" : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = user is null ? AppContext.BaseDirectory : "/tmp",
        };
        if (user is not null)
        {
            foreach (var a in new[] { "-u", user, "--", "dotnet" })
            {
                info.ArgumentList.Add(a);
            }
        }

        info.ArgumentList.Add(Path.Combine(user is null ? AppContext.BaseDirectory : Bin, dll));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // Nothing of this process's credentials or config leaks into the other process.
        info.Environment.Remove("RCONTROL_CREDENTIAL");
        info.Environment.Remove("XDG_CONFIG_HOME");
        if (user is not null)
        {
            info.Environment["HOME"] = "/tmp";
            info.Environment["DOTNET_CLI_HOME"] = "/tmp";
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        return process;
    }

    /// <summary>Runs to the end (two minutes at most) and returns exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string dll, IReadOnlyList<string> args, string? user = null, IDictionary<string, string>? environment = null)
    {
        using var process = Start(dll, args, user, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string CopyBin()
    {
        var target = Path.Combine("/tmp", $"rcontrol-shared-bin-{Environment.ProcessId}");
        if (Directory.Exists(target))
        {
            Directory.Delete(target, true);
        }

        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(AppContext.BaseDirectory, file);
            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        foreach (var dir in Directory.EnumerateDirectories(target, "*", SearchOption.AllDirectories).Append(target))
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        }

        foreach (var file in Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
        }

        return target;
    }
}
