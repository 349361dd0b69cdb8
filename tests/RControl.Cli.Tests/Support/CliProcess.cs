using System.Diagnostics;
using System.Text.Json;

namespace RControl.Cli.Tests.Support;

/// <summary>The result of one rcontrol run.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<string> StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>The stdout lines parsed as JSON objects (for --json).</summary>
    public IReadOnlyList<JsonElement> Json => StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Starts the built rcontrol executable as a user would: <c>dotnet rcontrol.dll args…</c>.</summary>
public static class CliProcess
{
    /// <summary>The built CLI (copied next to the tests by the project reference).</summary>
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "rcontrol.dll");

    /// <summary>Runs rcontrol with arguments, stdout and stderr redirected (not a terminal), and waits for it.</summary>
    public static async Task<CliResult> RunAsync(params string[] args) => await RunInAsync(null, args);

    /// <summary>Runs rcontrol with extra environment variables (a null value removes one).</summary>
    public static async Task<CliResult> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = StartInfo(args);
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return await RunProcessAsync(start);
    }

    /// <summary>The start info of <c>dotnet rcontrol.dll args…</c>, every stream redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>Runs rcontrol in a working directory.</summary>
    public static async Task<CliResult> RunInAsync(string? workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return await RunProcessAsync(start);
    }

    /// <summary>Runs a process to its end (killed after two minutes, which fails the test).</summary>
    public static async Task<CliResult> RunProcessAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rcontrol {string.Join(' ', start.ArgumentList)} did not end within two minutes");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A unique temporary directory, deleted at the end.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rcontrol-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes a file and returns its full path.</summary>
    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
