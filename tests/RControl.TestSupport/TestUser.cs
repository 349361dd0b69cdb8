namespace RControl.TestSupport;

/// <summary>
/// The account the test sshd logs into. As root (CI): a dedicated unprivileged user <c>rcontrol-test</c>
/// (created with <c>useradd -m -s /bin/sh</c> when missing; root's own login shell may be slow) whose password is
/// random per machine, kept in a root-only file. Otherwise: the current user, without password login.
/// </summary>
public sealed record TestUser(string Name, string Home, string? Password)
{
    /// <summary>The dedicated user's name.</summary>
    public const string DedicatedName = "rcontrol-test";

    private const string PasswordFile = "/var/lib/rcontrol-test/password";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TestUser? _current;

    /// <summary>True when this process runs as root (then the sshd runs with PAM and password login).</summary>
    public static bool IsRoot => Environment.UserName == "root" || GetEuid() == 0;

    /// <summary>Returns (creating once per machine) the login user for test servers.</summary>
    public static async Task<TestUser> GetAsync()
    {
        if (_current is { } cached)
        {
            return cached;
        }

        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _current ??= IsRoot ? await EnsureDedicatedAsync().ConfigureAwait(false) : new TestUser(Environment.UserName, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), null);
            return _current;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<TestUser> EnsureDedicatedAsync()
    {
        Directory.CreateDirectory("/run/sshd");
        Directory.CreateDirectory(Path.GetDirectoryName(PasswordFile)!);
        // Several test processes may run at once: serialise the one-time setup with an exclusive lock file.
        await using var lockFile = await OpenLockAsync(PasswordFile + ".lock").ConfigureAwait(false);
        if ((await ProcessRunner.RunAsync("id", ["-u", DedicatedName]).ConfigureAwait(false)).ExitCode != 0)
        {
            var add = await ProcessRunner.RunAsync("useradd", ["-m", "-s", "/bin/sh", DedicatedName]).ConfigureAwait(false);
            if (add.ExitCode is not (0 or 9))
            {
                throw new InvalidOperationException($"useradd {DedicatedName} failed ({add.ExitCode}): {add.Stderr.Trim()}");
            }
        }

        string password;
        if (File.Exists(PasswordFile))
        {
            password = (await File.ReadAllTextAsync(PasswordFile).ConfigureAwait(false)).Trim();
        }
        else
        {
            password = "Rc-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
            await File.WriteAllTextAsync(PasswordFile, password + "\n").ConfigureAwait(false);
            File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var set = await ProcessRunner.RunAsync("chpasswd", [], $"{DedicatedName}:{password}\n").ConfigureAwait(false);
        if (set.ExitCode != 0)
        {
            throw new InvalidOperationException($"chpasswd for {DedicatedName} failed: {set.Stderr.Trim()}");
        }

        var home = (await ProcessRunner.RunCheckedAsync("sh", "-c", $"getent passwd {DedicatedName} | cut -d: -f6").ConfigureAwait(false)).Trim();
        return new TestUser(DedicatedName, home, password);
    }

    private static async Task<FileStream> OpenLockAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();

    /// <summary>The password is never printed.</summary>
    public override string ToString() => $"TestUser {{ Name = {Name}, Home = {Home} }}";
}
