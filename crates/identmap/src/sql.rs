//! Reading `SET CLUSTER SETTING name = '…';` statements out of a `.sql` file.
