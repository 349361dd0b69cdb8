namespace RControl.Transports.Ssh.Agent;

/// <summary>The ssh-agent could not be reached, refused, or answered something that is not the protocol.</summary>
public sealed class SshAgentException : Exception
{
    public SshAgentException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
