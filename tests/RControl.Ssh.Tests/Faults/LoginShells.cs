using RControl.TestSupport;

namespace RControl.Ssh.Tests.Faults;

/// <summary>Throwaway login users of these tests with a given login shell (root only).</summary>
internal static class LoginShells
{
    public static async Task<string> LoginShellAsync(string user) =>
        (await ProcessRunner.RunCheckedAsync("sh", "-c", $"getent passwd {user} | cut -d: -f7")).Trim();

    public static async Task EnsureUserAsync(string name, string shell)
    {
        if ((await ProcessRunner.RunAsync("id", ["-u", name])).ExitCode != 0)
        {
            // 9: created meanwhile by another test process.
            var add = await ProcessRunner.RunAsync("useradd", ["-m", "-s", shell, name]);
            Assert.True(add.ExitCode is 0 or 9, $"useradd {name}: {add.Stderr}");
        }

        Assert.Equal(shell, await LoginShellAsync(name));
    }
}
