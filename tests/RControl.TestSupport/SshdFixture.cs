using Xunit;

namespace RControl.TestSupport;

/// <summary>
/// An xunit fixture owning one <see cref="SshServer"/> (default options) for a test class or collection:
/// <c>public sealed class MyTests(SshdFixture sshd) : IClassFixture&lt;SshdFixture&gt;</c>, then <c>sshd.Server.Spec()</c>.
/// </summary>
public sealed class SshdFixture : IAsyncLifetime
{
    private SshServer? _server;

    /// <summary>The running server.</summary>
    public SshServer Server => _server ?? throw new InvalidOperationException("the sshd fixture is not started");

    /// <summary>Starts the server (called by xunit).</summary>
    public async Task InitializeAsync() => _server = await SshServer.StartAsync().ConfigureAwait(false);

    /// <summary>Stops the server and deletes its files (called by xunit).</summary>
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
