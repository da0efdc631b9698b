pub mod token_server;
