//! `identmap eval`: batch evaluation of JSON records (the format of the conformance records),
//! one JSON result per record.

pub mod postgres;
