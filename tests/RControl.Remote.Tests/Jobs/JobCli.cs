using RControl.Remote.Tests.Support;

namespace RControl.Remote.Tests.Jobs;

/// <summary>The built rcontrol CLI run as the daemon's user (it finds the admin credential the daemon published).</summary>
internal static class JobCli
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(DaemonProcess daemon, params string[] args) =>
        await ClientProcess.RunAsync("rcontrol.dll", WithDaemon(daemon, args), environment: new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = daemon.ConfigHome });

    public static System.Diagnostics.Process Start(DaemonProcess daemon, params string[] args) =>
        ClientProcess.Start("rcontrol.dll", WithDaemon(daemon, args), environment: new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = daemon.ConfigHome });

    /// <summary>The command, then <c>--daemon ADDR</c>, then its arguments (an exec's command comes last, after --).</summary>
    private static string[] WithDaemon(DaemonProcess daemon, string[] args) => [args[0], "--daemon", daemon.Address, .. args[1..]];

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public static string Describe((int ExitCode, string Stdout, string Stderr) r) => $"exit {r.ExitCode}\n--- stdout\n{r.Stdout}\n--- stderr\n{r.Stderr}";
}
