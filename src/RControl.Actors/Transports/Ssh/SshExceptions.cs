namespace RControl;

/// <summary>Why an SSH connection could not be made.</summary>
public enum SshConnectFailure
{
    /// <summary>The host name does not resolve.</summary>
    UnknownHost,

    /// <summary>Nothing listens on the port (connection refused).</summary>
    Refused,

    /// <summary>No answer within the connect timeout.</summary>
    TimedOut,

    /// <summary>The server closed the connection during the handshake, or another network error.</summary>
    Other,
}

/// <summary>An SSH host could not be reached (unknown host, refused port, timeout …).</summary>
public class SshConnectException : SessionException
{
    public SshConnectException(string host, int port, SshConnectFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Host = host;
        Port = port;
        Failure = failure;
    }

    /// <summary>The host that was asked for.</summary>
    public string Host { get; }

    /// <summary>The port that was asked for.</summary>
    public int Port { get; }

    /// <summary>What went wrong.</summary>
    public SshConnectFailure Failure { get; }
}

/// <summary>Why SSH authentication failed.</summary>
public enum SshAuthenticationFailure
{
    /// <summary>The server refused every key and password offered.</summary>
    Rejected,

    /// <summary>An identity file is encrypted and no passphrase was given.</summary>
    PassphraseMissing,

    /// <summary>The passphrase does not decrypt an identity file.</summary>
    WrongPassphrase,

    /// <summary>An identity file does not exist or cannot be read or parsed.</summary>
    BadIdentityFile,

    /// <summary>No key and no password was given (and no default key exists).</summary>
    NoCredentials,
}

/// <summary>SSH authentication failed (wrong key, wrong password, missing passphrase …). Never carries a secret.</summary>
public sealed class SshAuthenticationFailedException : SessionException
{
    public SshAuthenticationFailedException(string host, int port, string user, SshAuthenticationFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Host = host;
        Port = port;
        User = user;
        Failure = failure;
    }

    /// <summary>The host.</summary>
    public string Host { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The login user.</summary>
    public string User { get; }

    /// <summary>What went wrong.</summary>
    public SshAuthenticationFailure Failure { get; }
}

/// <summary>What is wrong with a host key.</summary>
public enum HostKeyProblem
{
    /// <summary>The host is not in known_hosts (strict policy).</summary>
    Unknown,

    /// <summary>known_hosts lists other keys for the host: the key has changed (possible man-in-the-middle).</summary>
    Changed,

    /// <summary>The key is marked <c>@revoked</c> in known_hosts.</summary>
    Revoked,
}

/// <summary>A host key was refused. The message names the host, the key type and its SHA256 fingerprint.</summary>
public sealed class HostKeyVerificationException : SessionException
{
    public HostKeyVerificationException(string host, int port, string keyType, string fingerprint, HostKeyProblem problem, string knownHostsFile, string message)
        : base(message)
    {
        Host = host;
        Port = port;
        KeyType = keyType;
        Fingerprint = fingerprint;
        Problem = problem;
        KnownHostsFile = knownHostsFile;
    }

    /// <summary>The host.</summary>
    public string Host { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The key type the server offered, e.g. <c>ssh-ed25519</c>.</summary>
    public string KeyType { get; }

    /// <summary>The offered key's fingerprint, <c>SHA256:…</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>Unknown, changed or revoked.</summary>
    public HostKeyProblem Problem { get; }

    /// <summary>The known_hosts file that was checked.</summary>
    public string KnownHostsFile { get; }
}

/// <summary>An established SSH connection was lost (server gone, network cut, keep-alive unanswered).</summary>
public sealed class SshConnectionLostException : SessionException
{
    public SshConnectionLostException(string host, int port, string message, Exception? inner = null)
        : base(message, inner)
    {
        Host = host;
        Port = port;
    }

    /// <summary>The host.</summary>
    public string Host { get; }

    /// <summary>The port.</summary>
    public int Port { get; }
}
