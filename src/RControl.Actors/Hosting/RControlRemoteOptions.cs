using System.Text;

namespace RControl.Hosting;

/// <summary>
/// Typed overrides of the timings of <c>rcontrol.remote</c> (see docs/config.md). A value left null keeps the
/// configuration's; a value set wins over the HOCON. Each must be at least 1 ms, checked when it is set. TLS is set
/// with <see cref="RControlHostingExtensions.WithRControlTls(Akka.Hosting.AkkaConfigurationBuilder, RControlTlsOptions)"/>.
/// </summary>
public sealed record RControlRemoteOptions
{
    private readonly TimeSpan? _askTimeout;
    private readonly TimeSpan? _fileIdleTimeout;

    /// <summary><c>ask-timeout</c>: how long a client, the gate or the file service waits for the engine's answer.</summary>
    public TimeSpan? AskTimeout { get => _askTimeout; init => _askTimeout = Checked(value, nameof(AskTimeout)); }

    /// <summary><c>file-idle-timeout</c>: files a remote client opened and left unused this long are closed.</summary>
    public TimeSpan? FileIdleTimeout { get => _fileIdleTimeout; init => _fileIdleTimeout = Checked(value, nameof(FileIdleTimeout)); }

    /// <summary>The values set, as HOCON lines under <c>rcontrol.remote</c>.</summary>
    internal void AppendHocon(StringBuilder hocon)
    {
        if (AskTimeout is { } ask)
        {
            hocon.Append("rcontrol.remote.ask-timeout = ").AppendLine(HoconValue.Of(ask));
        }

        if (FileIdleTimeout is { } idle)
        {
            hocon.Append("rcontrol.remote.file-idle-timeout = ").AppendLine(HoconValue.Of(idle));
        }
    }

    private static TimeSpan? Checked(TimeSpan? value, string name) => value is { } set ? HoconValue.Positive(set, name) : null;
}
