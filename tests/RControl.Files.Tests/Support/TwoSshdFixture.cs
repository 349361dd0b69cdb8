using RControl.TestSupport;

namespace RControl.Files.Tests.Support;

/// <summary>Two independent sshd instances: two "hosts" for SSH → SSH copies.</summary>
public sealed class TwoSshdFixture : IAsyncLifetime
{
    private SshServer? _first;
    private SshServer? _second;

    public SshServer First => _first ?? throw new InvalidOperationException("not started");

    public SshServer Second => _second ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var servers = await Task.WhenAll(SshServer.StartAsync(), SshServer.StartAsync());
        (_first, _second) = (servers[0], servers[1]);
    }

    public async Task DisposeAsync()
    {
        if (_first is not null)
        {
            await _first.DisposeAsync();
        }

        if (_second is not null)
        {
            await _second.DisposeAsync();
        }
    }
}
