using System.Runtime.Serialization;
using Akka.Actor;
using RControl.Actors;
using RControl.Protocol;
using W = RControl.Protocol.Wire;

namespace RControl.Serialization;

/// <summary>
/// Maps the session registry's messages (<c>sessions.proto</c>) to and from their records. A spec sent to open a
/// session carries its password/passphrase (the engine needs them); a spec sent back to a client never does.
/// </summary>
internal static class SessionWire
{
    public static W.SessionSpec ToWire(SessionSpec spec, bool withSecrets) => spec switch
    {
        LocalSessionSpec local => new W.SessionSpec { Local = ToWire(local) },
        SshSessionSpec ssh => new W.SessionSpec { Ssh = ToWire(ssh, withSecrets, 0) },
        _ => throw new SerializationException($"RControl wire cannot send session spec {spec.GetType().FullName}"),
    };

    public static SessionSpec FromWire(W.SessionSpec? wire) => wire?.KindCase switch
    {
        W.SessionSpec.KindOneofCase.Local => new LocalSessionSpec
        {
            WorkingDirectory = wire.Local.HasWorkingDirectory ? wire.Local.WorkingDirectory : null,
        },
        W.SessionSpec.KindOneofCase.Ssh => FromWire(wire.Ssh, 0),
        _ => throw new SerializationException("a session spec names no kind (local or ssh)"),
    };

    private static W.LocalSessionSpec ToWire(LocalSessionSpec local)
    {
        var wire = new W.LocalSessionSpec();
        if (local.WorkingDirectory is { } directory)
        {
            wire.WorkingDirectory = directory;
        }

        return wire;
    }

    private static W.SshSessionSpec ToWire(SshSessionSpec s, bool withSecrets, int depth)
    {
        var wire = new W.SshSessionSpec
        {
            Host = s.Host,
            HostKeyPolicy = (W.HostKeyPolicy)s.HostKeyPolicy,
            ConnectTimeoutTicks = s.ConnectTimeout.Ticks,
            ConnectBudgetTicks = s.ConnectBudget.Ticks,
            KeepAliveTicks = s.KeepAlive.Ticks,
            MaxChannels = s.MaxChannels,
            MaxConnections = s.MaxConnections,
        };
        wire.IdentityFiles.AddRange(s.IdentityFiles);
        SetIf(s.Port, v => wire.Port = v);
        SetIf(s.User, v => wire.User = v);
        SetIf(withSecrets ? s.Password : null, v => wire.Password = v);
        SetIf(withSecrets ? s.Passphrase : null, v => wire.Passphrase = v);
        SetIf(s.KnownHostsFile, v => wire.KnownHostsFile = v);
        SetIf(s.ProxyJump, v => wire.ProxyJump = v);
        SetIf(s.SshConfigFile, v => wire.SshConfigFile = v);
        if (s.KeyExchangeAlgorithms is { } kex)
        {
            wire.KeyExchangeAlgorithms = new W.StringList { Values = { kex } };
        }

        if (s.JumpHosts is { } jumps && depth < WireLimits.MaxJumpDepth)
        {
            wire.JumpHosts = new W.JumpHosts();
            foreach (var (name, jump) in jumps)
            {
                wire.JumpHosts.Hosts[name] = ToWire(jump, withSecrets, depth + 1);
            }
        }

        return wire;
    }

    private static SshSessionSpec FromWire(W.SshSessionSpec w, int depth)
    {
        if (depth > WireLimits.MaxJumpDepth)
        {
            throw new SerializationException($"jump hosts nested deeper than {WireLimits.MaxJumpDepth}");
        }

        var spec = new SshSessionSpec(w.Host)
        {
            Port = w.HasPort ? w.Port : null,
            User = w.HasUser ? w.User : null,
            IdentityFiles = w.IdentityFiles.ToArray(),
            Password = w.HasPassword ? w.Password : null,
            Passphrase = w.HasPassphrase ? w.Passphrase : null,
            KnownHostsFile = w.HasKnownHostsFile ? w.KnownHostsFile : null,
            HostKeyPolicy = WireLimits.Enum<HostKeyPolicy>((int)w.HostKeyPolicy, "host key policy"),
            ProxyJump = w.HasProxyJump ? w.ProxyJump : null,
            SshConfigFile = w.HasSshConfigFile ? w.SshConfigFile : null,
            KeepAlive = TimeSpan.FromTicks(w.KeepAliveTicks),
            MaxChannels = w.MaxChannels,
            MaxConnections = w.MaxConnections,
            KeyExchangeAlgorithms = w.KeyExchangeAlgorithms?.Values.ToArray(),
            JumpHosts = w.JumpHosts?.Hosts.ToDictionary(kv => kv.Key, kv => FromWire(kv.Value ?? new W.SshSessionSpec(), depth + 1), StringComparer.Ordinal),
        };
        // Zero is what a sender that left the field out writes: the spec's default (a sent value is checked by the spec).
        spec = w.ConnectTimeoutTicks == 0 ? spec : spec with { ConnectTimeout = TimeSpan.FromTicks(w.ConnectTimeoutTicks) };
        return w.HasConnectBudgetTicks ? spec with { ConnectBudget = TimeSpan.FromTicks(w.ConnectBudgetTicks) } : spec;
    }

    private static void SetIf<T>(T? value, Action<T> set)
        where T : struct
    {
        if (value is { } v)
        {
            set(v);
        }
    }

    private static void SetIf(string? value, Action<string> set)
    {
        if (value is not null)
        {
            set(value);
        }
    }

    public static W.OpenSession ToWire(OpenSession m) => new() { Name = m.Name, Spec = ToWire(m.Spec, withSecrets: true) };

    public static OpenSession FromWire(W.OpenSession w) => new(w.Name, FromWire(w.Spec));

    public static W.GetSession ToWire(GetSession m) => new() { Name = m.Name };

    public static GetSession FromWire(W.GetSession w) => new(w.Name);

    public static W.CloseSession ToWire(CloseSession m) => new() { Name = m.Name };

    public static CloseSession FromWire(W.CloseSession w) => new(w.Name);

    public static W.SessionFound ToWire(SessionFound m) => new()
    {
        Name = m.Name,
        Session = Akka.Serialization.Serialization.SerializedActorPath(m.Session),
        Spec = ToWire(m.Spec, withSecrets: false),
    };

    public static SessionFound FromWire(W.SessionFound w, ExtendedActorSystem system) =>
        new(w.Name, system.Provider.ResolveActorRef(w.Session), FromWire(w.Spec));

    public static W.SessionNotFound ToWire(SessionNotFound m) => new() { Name = m.Name, Known = { m.Known } };

    public static SessionNotFound FromWire(W.SessionNotFound w) => new(w.Name, w.Known.ToArray());

    public static W.SessionClosed ToWire(SessionClosed m) => new() { Name = m.Name };

    public static SessionClosed FromWire(W.SessionClosed w) => new(w.Name);

    public static W.SessionList ToWire(SessionList m) => new() { Names = { m.Names } };

    public static SessionList FromWire(W.SessionList w) => new(w.Names.ToArray());
}
