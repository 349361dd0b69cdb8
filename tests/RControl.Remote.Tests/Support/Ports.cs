using RControl.TestSupport;

namespace RControl.Remote.Tests.Support;

public static class Ports
{
    /// <summary>A TCP port free on loopback right now (outside the ephemeral range: see <see cref="FreePort"/>).</summary>
    public static int Free() => FreePort.Get();
}
