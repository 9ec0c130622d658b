pub mod durham;
