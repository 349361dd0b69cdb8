using System.Diagnostics;
using RControl.Cli.Tests.Support;

namespace RControl.Cli.Tests.Commands;

/// <summary>The README's install recipe: the host packs as a .NET tool that installs and runs as <c>rcontrol</c>.</summary>
public class InstallTests
{
    // `dotnet pack` defaults to Release: pack the configuration this test run built.
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task The_host_packs_as_a_dotnet_tool_that_installs_and_runs()
    {
        using var dir = new TempDir();
        var project = Path.Combine(RepositoryRoot(), "src", "RControl.Host", "RControl.Host.csproj");

        // --no-build packs what the test run already built; the README packs Release the same way.
        var pack = await DotnetAsync(dir.Path, "pack", project, "--no-build", "-c", Configuration, "-o", Path.Combine(dir.Path, "packages"));
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var package = Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "packages"), "rcontrol.*.nupkg"));

        var tools = Path.Combine(dir.Path, "tools");
        var install = await DotnetAsync(dir.Path, "tool", "install", "--tool-path", tools, "--add-source", Path.GetDirectoryName(package)!, "--ignore-failed-sources", "rcontrol");
        Assert.True(install.ExitCode == 0, install.ToString());

        var version = await CliProcess.RunProcessAsync(new ProcessStartInfo(Path.Combine(tools, "rcontrol"), "--version")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        });
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.StartsWith(Path.GetFileNameWithoutExtension(package)["rcontrol.".Length..], version.Stdout.Trim());

        var exec = await CliProcess.RunProcessAsync(new ProcessStartInfo(Path.Combine(tools, "rcontrol"), "exec -t local -- echo installed")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        });
        Assert.True(exec.ExitCode == 0, exec.ToString());
        Assert.Equal("local: installed", exec.StdoutLines[0]);
    }

    private static async Task<CliResult> DotnetAsync(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = directory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A private package cache: a tool of the same version installed before must not be picked up instead.
        start.Environment["NUGET_PACKAGES"] = Path.Combine(directory, "nuget-cache");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return await CliProcess.RunProcessAsync(start);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RControl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RControl.sln not found above " + AppContext.BaseDirectory);
    }
}
